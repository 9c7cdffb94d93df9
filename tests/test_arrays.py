"""actuarial.arrays.dataset: the same Dataset as xarray's constructor, faster."""

import numpy as np
import pytest
import xarray as xr

from actuarial.arrays import coordinates, dataset


def _spec():
    rng = np.random.default_rng(1)
    coords = {"year": ("year", np.arange(2025, 2031), {"units": "year"}),
              "sex": ("sex", np.array(["female", "male"], dtype=object), {}),
              "age": ("age", np.arange(4), {"long_name": "age"}),
              "option_kind": ("sex", np.array(["a", "b"], dtype=object), {})}
    variables = {"x": (("year", "sex", "age"), rng.random((6, 2, 4)), {"units": "1", "long_name": "x"}),
                 "y": (("year",), rng.random(6), {"units": "DML"}),
                 "z": ((), 3.0, {}),
                 "flag": (("sex", "year"), rng.random((2, 6)) > 0.5, {})}
    return coords, variables


def test_dataset_identical_to_xarray_constructor():
    coords, variables = _spec()
    fast = dataset(variables, coordinates(coords), {"case": "c"})
    plain = xr.Dataset(variables, coords=coords, attrs={"case": "c"})
    xr.testing.assert_identical(fast, plain)
    assert list(fast.data_vars) == list(plain.data_vars)
    assert fast.indexes["year"].equals(plain.indexes["year"])
    assert "option_kind" not in fast.indexes
    # operations that use the indexes work as on the plain Dataset
    xr.testing.assert_identical(fast.sel(year=2027, sex="male"), plain.sel(year=2027, sex="male"))
    xr.testing.assert_identical(fast + 1, plain + 1)


def test_dataset_rejects_a_wrong_shape():
    coords, variables = _spec()
    variables["bad"] = (("year",), np.zeros(5), {})
    with pytest.raises(ValueError, match="'year' has length 5, expected 6"):
        dataset(variables, coordinates(coords))
    with pytest.raises(ValueError, match="'k' has length 3, expected 2"):
        dataset({"a": (("k",), np.zeros(2), {}), "b": (("k",), np.zeros(3), {})}, coordinates({}))


def test_dataset_with_dataarrays_in_the_constructors_order():
    """DataArrays among the variables: their coordinates placed where the
    constructor places them (own first, then the indexes their dims align to)."""
    coords = {"c": ("c", [0, 1, 2], {}), "a": ("a", [1, 2], {"units": "year"}), "b": ("b", [5], {}),
              "k": ("b", ["x"], {})}
    variables = {"t": (("a",), np.zeros(2), {}),
                 "g": xr.DataArray(np.ones((3, 1, 2)), dims=("c", "b", "a"), attrs={"units": "1"}),
                 "d": xr.DataArray(np.zeros((2, 1)), dims=("a", "b"), coords={"b": [5]}),
                 "e": xr.DataArray(np.zeros((2, 3)), dims=("a", "c"), coords={"a": [1, 2]}),
                 "z": ((), 3.0, {})}
    fast = dataset(variables, coordinates(coords), {"case": "c"})
    plain = xr.Dataset(variables, coords={k: xr.Variable(*v) for k, v in coords.items()}, attrs={"case": "c"})
    xr.testing.assert_identical(fast, plain)
    assert list(fast.variables) == list(plain.variables)
    assert list(fast.dims) == list(plain.dims) and list(fast.xindexes) == list(plain.xindexes)
    assert fast["a"].attrs == {"units": "year"}
    # a DataArray on other coordinate values: the constructor's alignment (outer join)
    variables["d"] = xr.DataArray(np.zeros((2, 1)), dims=("a", "b"), coords={"b": [6]})
    xr.testing.assert_identical(dataset(variables, coordinates(coords)),
                                xr.Dataset(variables, coords={k: xr.Variable(*v) for k, v in coords.items()}))


def test_coordinates_built_once_are_the_same_and_independent():
    """A label set built again (from the cache, issue 17) is identical to one built
    without it; each call's variables and attrs are its own; changing the array
    the labels came from changes no later call."""
    from actuarial.arrays import _build_coordinates

    years = np.arange(2025, 2031)
    spec = {"year": ("year", years, {"units": "year"}), "sex": ("sex", ["female", "male"], {"long_name": "sex"}),
            "kind": ("sex", np.array(["a", "b"], dtype=object), {})}
    first, again = coordinates(spec), coordinates(spec)
    for c in (first, again):
        xr.testing.assert_identical(xr.Dataset(coords=c), xr.Dataset(coords=_build_coordinates(spec)))
        assert c["sex"].dtype == np.dtype("<U6")
    first["sex"].attrs["changed"] = True
    years[0] = 1999
    later = coordinates({**spec, "year": ("year", np.arange(2025, 2031), {"units": "year"})})
    assert "changed" not in again["sex"].attrs and "changed" not in later["sex"].attrs
    assert later["year"].values[0] == 2025


def test_coordinates_cache_tells_signed_zeros_and_nan_apart():
    """Labels equal as numbers but not as bits (0.0 and -0.0) are built apart; NaN labels are found again."""
    plus = coordinates({"shift": ("shift", np.array([0.0, 0.01]), {})})
    minus = coordinates({"shift": ("shift", np.array([-0.0, 0.01]), {})})
    assert not np.signbit(plus["shift"].values[0]) and np.signbit(minus["shift"].values[0])
    nan = coordinates({"shift": ("shift", np.array([np.nan, 1.0]), {})})
    assert np.isnan(nan["shift"].values[0])


def test_dask_arrays_recognised_once_dask_array_is_imported():
    """``defer_dask_lookup`` (imported with actuarial.arrays) leaves xarray's handling of dask arrays
    as it was: once dask.array is imported, its Array is the type xarray checks for, and a
    DataArray wrapping one stays lazy (and a masked one is filled as xarray does)."""
    import dask.array as da
    from xarray.namedarray.pycompat import array_type

    assert array_type("dask") == (da.Array,)
    lazy = xr.DataArray(da.ones(4, chunks=2), dims="x")
    assert lazy.chunks == ((2, 2),)
    masked = da.ma.masked_array(da.arange(4.0, chunks=2), mask=[False, True, False, False])
    np.testing.assert_array_equal(xr.Variable("x", masked).values, [0.0, np.nan, 2.0, 3.0])
