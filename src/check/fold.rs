//! Constant folding: literals and arithmetic on constants, computed once at compile time.

use crate::ops::BinOp;
use crate::program::{Lit, Node, NodeId};

/// The value of a node when it is a compile-time constant.
pub(crate) fn fold(nodes: &[Node], id: NodeId) -> Option<Lit> {
    match &nodes[id as usize] {
        Node::Lit(lit) => Some(lit.clone()),
        Node::Neg(inner) => match fold(nodes, *inner)? {
            Lit::Num(n) => Some(Lit::Num(-n)),
            Lit::Dur(d) => Some(Lit::Dur(d.saturating_neg())),
            _ => None,
        },
        Node::Not(inner) => match fold(nodes, *inner)? {
            Lit::Bool(b) => Some(Lit::Bool(!b)),
            _ => None,
        },
        Node::Binary(op, l, r) => {
            let (l, r) = (fold(nodes, *l)?, fold(nodes, *r)?);
            Some(match (op, l, r) {
                (BinOp::Add, Lit::Num(a), Lit::Num(b)) => Lit::Num(a + b),
                (BinOp::Sub, Lit::Num(a), Lit::Num(b)) => Lit::Num(a - b),
                (BinOp::Mul, Lit::Num(a), Lit::Num(b)) => Lit::Num(a * b),
                (BinOp::Div, Lit::Num(a), Lit::Num(b)) if b != 0.0 => Lit::Num(a / b),
                (BinOp::Add, Lit::Dur(a), Lit::Dur(b)) => Lit::Dur(a.saturating_add(b)),
                (BinOp::Sub, Lit::Dur(a), Lit::Dur(b)) => Lit::Dur(a.saturating_sub(b)),
                (BinOp::Mul, Lit::Dur(a), Lit::Num(b)) | (BinOp::Mul, Lit::Num(b), Lit::Dur(a)) => {
                    Lit::Dur((a as f64 * b) as i64)
                }
                (BinOp::Add, Lit::Time(t), Lit::Dur(d)) => Lit::Time(t.saturating_add(d)),
                (BinOp::Sub, Lit::Time(t), Lit::Dur(d)) => Lit::Time(t.saturating_sub(d)),
                (BinOp::Sub, Lit::Time(a), Lit::Time(b)) => Lit::Dur(a.saturating_sub(b)),
                _ => return None,
            })
        }
        _ => None,
    }
}

/// The value of a constant number node.
pub(crate) fn fold_num(nodes: &[Node], id: NodeId) -> Option<f64> {
    match fold(nodes, id)? {
        Lit::Num(n) => Some(n),
        Lit::Dur(d) => Some(d as f64),
        _ => None,
    }
}
