//! Operators shared by the syntax tree and the compiled program: below both, so that
//! evaluation never depends on the parser's types.

/// Binary operators, loosest binding first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    /// `??`: the left value, or the right when the left is unknown.
    Otherwise,
    /// `or` (Kleene)
    Or,
    /// `and` (Kleene)
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `list contains value`
    Contains,
    /// `value in list`
    In,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// The operator as written.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinOp::Otherwise => "??",
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Contains => "contains",
            BinOp::In => "in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

/// Which side of the anchor a time window lies on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WindowSide {
    /// `within d after t`: t ≤ x ≤ t + d
    After,
    /// `within d before t`: t − d ≤ x ≤ t
    Before,
    /// `within d of t`: |x − t| ≤ d
    Around,
}

/// Collection operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CollectOp {
    /// Items whose filter holds.
    Count,
    /// Distinct values of the projection.
    Distinct,
    /// Sum of the projection.
    Sum,
    /// Smallest projection.
    Min,
    /// Largest projection.
    Max,
    /// Some item's condition holds.
    Any,
    /// Every item's condition holds.
    All,
}

impl CollectOp {
    /// The keyword.
    pub(crate) fn name(self) -> &'static str {
        match self {
            CollectOp::Count => "count",
            CollectOp::Distinct => "distinct",
            CollectOp::Sum => "sum",
            CollectOp::Min => "min",
            CollectOp::Max => "max",
            CollectOp::Any => "any",
            CollectOp::All => "all",
        }
    }
}
