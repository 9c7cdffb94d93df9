"""S1 / S2 (fiscal_space.sustainability_gaps): the long-term continuation
after the projection and S2's undefined case."""

import numpy as np

from fiscal_space.sustainability_gaps import s2_gap, sustainability_gaps

REFORMS = ("without", "with")


def _inputs(n, rng):
    factor = 1.0 + rng.uniform(0.0, 0.02, n + 1)
    spending = 0.1 + np.cumsum(rng.uniform(0.0, 0.002, (n + 1, 2)), axis=0)
    return factor, spending


def test_a_target_after_the_projection_continues_its_last_year():
    """S1 with the target 7 years after the last year = S1 on a projection
    7 years longer whose extra years repeat the last one (written out)."""
    rng = np.random.default_rng(3)
    n, extra = 10, 7
    factor, spending = _inputs(n, rng)
    long_f = np.concatenate([factor, np.full(extra, factor[-1])])
    long_s = np.vstack([spending, np.repeat(spending[-1:], extra, axis=0)])
    args = (np.array([0.7, 0.72]), np.array([-0.01, -0.02]))
    short = sustainability_gaps(*args, factor, spending, ["pension", "spf"], ["spf"], REFORMS, 0.6, n + extra, 5)
    full = sustainability_gaps(*args, long_f, long_s, ["pension", "spf"], ["spf"], REFORMS, 0.6, n + extra, 5)
    np.testing.assert_allclose(short[0][0], full[0][0], rtol=0, atol=1e-15)  # S1
    np.testing.assert_allclose(short[1][0], full[1][0], rtol=0, atol=1e-15)  # its components
    assert not np.allclose(short[0][0], sustainability_gaps(*args, factor, spending, ["pension", "spf"], ["spf"],
                                                            REFORMS, 0.6, n, 5)[0][0])


def test_s2_is_not_defined_when_r_does_not_exceed_g_at_the_end():
    ibp, dr, coa = s2_gap(0.6, 0.0, np.array([1.01, 1.0]), np.zeros((2, 2)))
    assert np.isnan(ibp) and np.isnan(coa).all()
    ibp, _, _ = s2_gap(0.6, 0.0, np.full(3, 1.02), np.zeros(3))
    # constant f = (1 + r)/(1 + g): W = 1 / (f - 1), S2 = D (f - 1) - pb
    assert abs(ibp - 0.6 * 0.02) < 1e-15
