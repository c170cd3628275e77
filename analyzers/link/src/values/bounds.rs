//! The bounds of the value resolution ([`super::Values`]) and what one cut
//! in the expression being resolved (reported as N015, [`crate::cuts`]).

/// At most this many texts per expression that is not a list (the
/// alternatives of one value: cartesian products of `format!` arguments,
/// the arguments of the calls to a parameter's function).
pub(super) const MAX_TEXTS: usize = 16;

/// At most this many texts of a list (`subscribe(&[T1, .., Tn])`): its
/// elements are several values, not alternatives of one, so they are all
/// kept, up to this bound for pathological input.
pub(super) const MAX_ELEMENTS: usize = 256;

/// At most this many calls followed to resolve one expression (functions
/// returning calls to functions with several values each would otherwise
/// multiply up to the depth bound).
pub(super) const MAX_CALLS: u32 = 256;

/// How deep a value is followed: hops through consts, fields, parameters
/// and calls.
pub(super) const MAX_DEPTH: u32 = 8;

thread_local! {
    /// Calls left to follow in the expression being resolved.
    pub(super) static CALLS_LEFT: std::cell::Cell<u32> = const { std::cell::Cell::new(MAX_CALLS) };
    /// What a bound cut in the expression being resolved (the first cut;
    /// later ones add their counts).
    pub(super) static CUT: std::cell::Cell<Option<Cut>> = const { std::cell::Cell::new(None) };
    /// How many times a bound cut, in the expression being resolved (to
    /// tell a part that gave nothing because it was cut).
    pub(super) static CUTS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A bound of the resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// [`MAX_TEXTS`] alternatives of one value.
    Alternatives,
    /// [`MAX_ELEMENTS`] texts of a list.
    Elements,
    /// [`MAX_DEPTH`] hops: what lies deeper is not followed.
    Depth,
    /// [`MAX_CALLS`] calls followed for one expression.
    Calls,
}

impl Bound {
    /// The bound's value.
    pub fn limit(self) -> usize {
        match self {
            Bound::Alternatives => MAX_TEXTS,
            Bound::Elements => MAX_ELEMENTS,
            Bound::Depth => MAX_DEPTH as usize,
            Bound::Calls => MAX_CALLS as usize,
        }
    }
}

/// Values a bound dropped while resolving one expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// The bound that cut (the first, when several did).
    pub bound: Bound,
    /// How many values were dropped, when known (a list's elements not
    /// looked at, the texts past the bound); `None` when the resolver
    /// stopped before counting them.
    pub dropped: Option<usize>,
}

impl Cut {
    /// Note that `bound` dropped `dropped` values of the expression being
    /// resolved.
    pub(super) fn record(bound: Bound, dropped: Option<usize>) {
        CUTS.with(|n| n.set(n.get().saturating_add(1)));
        CUT.with(|c| {
            let next = match c.get() {
                None => Cut { bound, dropped },
                Some(prev) => Cut {
                    bound: prev.bound,
                    dropped: prev.dropped.zip(dropped).map(|(a, b)| a + b),
                },
            };
            c.set(Some(next));
        });
    }

    /// How many cuts were recorded so far in the expression being
    /// resolved: a part that gave no value while this grew was cut.
    pub(super) fn count() -> u32 {
        CUTS.with(|n| n.get())
    }

    /// The bound and what it cut: `"at most 16 alternatives of a value
    /// kept, 3 more cut"`, `"followed 8 hops deep, the rest cut"`.
    pub fn describe(&self) -> String {
        let kept = match self.bound {
            Bound::Alternatives => format!("at most {MAX_TEXTS} alternatives of a value kept"),
            Bound::Elements => format!("at most {MAX_ELEMENTS} elements of a list kept"),
            Bound::Depth => format!("followed {MAX_DEPTH} hops deep"),
            Bound::Calls => format!("at most {MAX_CALLS} calls followed"),
        };
        match self.dropped {
            Some(n) => format!("{kept}, {n} more cut"),
            None => format!("{kept}, the rest cut"),
        }
    }
}
