"""Issue 17, the fiscal stage and the results tree: the faster constructions
give the same numbers as their definitions (the speed itself is measured in
benchmarks/fiscal_space.py, not asserted here)."""

import numpy as np
import pytest
import xarray as xr

import fiscal_space as fs
from actuarial.pipeline import _tree
from fiscal_space import stochastic as st
from fiscal_space.debt import propagation
from fiscal_space.plan import _columnwise, _inequality_rows, _sum_rows

COV = np.diag([4e-4, 1e-4, 1e-4, 6.4e-3])
CENTRAL = dict(interest_rate=np.full(12, 0.06), nominal_growth=np.full(12, 0.07),
               primary_balance=np.full(12, -0.01), foreign_currency_share=0.3, depreciation=np.full(12, 0.02))


def test_cached_draws_are_the_drawn_bits_and_read_only():
    st._cached_block.cache_clear()
    first = st.simulate_debt(0.6, seed=17, paths=1500, covariance=COV, **CENTRAL)  # drawn: blocks 0 and 1
    assert st._cached_block.cache_info().currsize == 2
    again = st.simulate_debt(0.6, seed=17, paths=1500, covariance=COV, **CENTRAL)  # from the cache
    assert st._cached_block.cache_info().hits >= 2
    st._cached_block.cache_clear()
    fresh = st.simulate_debt(0.6, seed=17, paths=1500, covariance=COV, **CENTRAL)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, fresh)
    # the block's stream, drawn here from its definition: SeedSequence(seed, spawn_key=(b,))
    z = np.random.Generator(np.random.PCG64(np.random.SeedSequence(17, spawn_key=(1,)))).standard_normal(
        (12, 4, st.BLOCK))
    np.testing.assert_array_equal(st._block_draws(17, 1, 12), z)
    with pytest.raises(ValueError):
        st._block_draws(17, 1, 12)[0, 0, 0] = 1.0  # shared: never written
    before = st._cached_block.cache_info().currsize
    big = st._block_draws(17, 0, 200)  # 200 years x 4 x 1024 x 8 bytes > CACHE_BYTES: not kept
    assert st._cached_block.cache_info().currsize == before and big.flags.writeable


def test_plan_rows_equal_their_definition():
    T, O = 7, 4
    g = np.random.default_rng(3)
    weights = g.uniform(0.5, 2.0, T)
    weights[[1, 4]] = 0.0  # zeros are not entries
    k = propagation(np.full(T, 0.98))
    stock = [(2, weights, 0.01), (0, np.zeros(T), -1.0)]
    a_ub, rhs = _inequality_rows(T, (O + 1) * T, stock, [1, 3], k, 2.0)
    dense = np.zeros((2 + T, (O + 1) * T))
    for i, (o, w, _) in enumerate(stock):
        for t in range(T):
            dense[i, o * T + t] = w[t]
    for t in range(T):
        for u in range(t + 1):
            for o in (1, 3):
                dense[2 + t, o * T + u] = k[t, u]
    np.testing.assert_array_equal(a_ub.toarray(), dense)
    assert a_ub.values.size == np.count_nonzero(dense)
    np.testing.assert_array_equal(rhs, [0.02, 0.0])  # limit x scale, a negative limit as 0
    eq = np.zeros((T, (O + 1) * T))
    for t in range(T):
        eq[t, [o * T + t for o in range(O + 1)]] = 1.0
    np.testing.assert_array_equal(_sum_rows(T, O).toarray(), eq)
    assert _inequality_rows(T, (O + 1) * T, (), [], None, 1.0)[0] is None


def test_plan_matrix_is_scipys_column_wise_matrix():
    """fiscal_space.plan._columnwise gives HiGHS the arrays scipy.sparse's csc_array of the stacked
    rows has (an independent reference; the plan built them so before): same starts, row indices
    (by row within each column, 32-bit) and values."""
    from scipy import sparse

    T, O = 9, 3
    g = np.random.default_rng(5)
    weights = g.uniform(0.5, 2.0, T)
    weights[[0, 5]] = 0.0
    stock = [(1, weights, 0.02), (2, np.ones(T), 0.01)]
    a_ub, _ = _inequality_rows(T, (O + 1) * T, stock, [0, 2], propagation(np.full(T, 0.97)), 3.0)
    a_eq = _sum_rows(T, O)
    for parts in ([a_eq], [a_ub, a_eq]):
        ref = sparse.csc_array(sparse.vstack([sparse.csr_matrix(p.toarray()) for p in parts]))
        start, index, value = _columnwise(parts, (O + 1) * T)
        for got, want in ((start, ref.indptr), (index, ref.indices), (value, ref.data)):
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)


def test_fiscal_gap_of_several_paths_is_each_paths():
    f = fs.debt_factor(np.full(30, 0.05), np.full(30, 0.02))
    pb = np.array([np.full(30, -0.01), np.linspace(-0.02, 0.01, 30)])
    sfa = np.array([np.zeros(30), np.full(30, 0.001)])
    both = fs.fiscal_gap(0.8, f, pb, sfa, 0.6, 25)
    assert both.shape == (2,)
    assert [fs.fiscal_gap(0.8, f, pb[i], sfa[i], 0.6, 25) for i in range(2)] == both.tolist()
    assert isinstance(fs.fiscal_gap(0.8, f, pb[0], 0.0, 0.6, 25), float)


def test_results_tree_same_as_from_dict():
    year = ("year", np.arange(2025, 2030), {"units": "year"})
    nodes = {"/a": xr.Dataset({"x": (("year",), np.arange(5.0), {"units": "1"})}, coords={"year": year},
                              attrs={"case": "c"}),
             "/b": xr.Dataset({"y": (("option",), [1.0, 2.0])},
                              coords={"option": np.array(["p", "q"], dtype=object)})}
    tree, ref = _tree(nodes), xr.DataTree.from_dict(nodes)
    assert tree.identical(ref)
    assert [n.path for n in tree.subtree] == [n.path for n in ref.subtree]
    deeper = {**nodes, "/a/c": xr.Dataset({"z": 1.0})}  # not one level: from_dict's
    assert _tree(deeper).identical(xr.DataTree.from_dict(deeper))
