"""One scenario (or a small batch of tables) runs the parallel kernels' serial
bodies on the calling thread (issue 17): the same compiled arithmetic, so the
same bits as the parallel kernel."""

from __future__ import annotations

import numpy as np
import pytest

from actuarial.demography import _kernels
from actuarial.projection import _injury_kernels as kern
from test_injury import OUTPUTS, kernel_parameters, output_shapes, small_case
from test_projection import random_inputs


@pytest.mark.parametrize("capped", [False, True])
@pytest.mark.parametrize("timing", [0, 1])
def test_one_scenario_projection_is_the_parallel_kernels(capped, timing):
    args = random_inputs(np.random.default_rng(4), 1, 9)
    shapes = [(1, 9, 2, 101), (1, 9, 2), (1, 9, 2, 101)] + ([(1, 9, 2, 101)] if capped else [])
    serial = [np.empty(s) for s in shapes]
    parallel = [np.empty(s) for s in shapes]
    _kernels.run_projection(*args, timing, 1.0, *serial)
    (_kernels.project_capped if capped else _kernels.project)(*args, timing, 1.0, *parallel)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)


def test_small_table_batches_are_the_parallel_kernels():
    g = np.random.default_rng(5)
    n = 40
    mx = np.exp(np.linspace(-7.0, -0.5, 101))[None, :] * g.uniform(0.5, 2.0, (n, 1))
    female = np.arange(n) % 2 == 0
    at = np.array([0, 65])

    def outputs():
        return np.empty((n, 101)), np.empty((n, 2)), np.empty((n, 101)), np.empty((n, 101)), np.empty((n, 101))

    S1, e1, l1, L1, T1 = outputs()
    S2, e2, l2, L2, T2 = outputs()
    assert _kernels.run_survival_ratios(mx, female, S1, e1, at) == _kernels.survival_ratios(mx, female, S2, e2, at)
    _kernels.run_life_table_columns(mx, female, l1, L1, T1)
    _kernels.life_table_columns(mx, female, l2, L2, T2)
    _kernels.run_death_probability_inplace(S1)
    _kernels.death_probability_inplace(S2)
    for a, b in ((S1, S2), (e1, e2), (l1, l2), (L1, L2), (T1, T2)):
        np.testing.assert_array_equal(a, b)


def test_one_scenario_injury_is_the_parallel_kernel():
    case = small_case()
    args = (case["insured"], case["wage"], case["q"], case["aw"], case["interest"], case["index"],
            case["shares"], case["relw"], case["incidence"], case["age_rel"], case["disease"],
            case["disease_out"], case["married"], case["medical"], case["factors"], kernel_parameters(),
            case["terminal"], case["N0"], case["B0"])
    serial = {k: np.zeros(s) for k, s in output_shapes(1).items()}
    parallel = {k: np.zeros(s) for k, s in output_shapes(1).items()}
    kern.run_injury(*args, *(serial[k] for k in OUTPUTS))
    kern.project_injury(*args, *(parallel[k] for k in OUTPUTS))
    for k in OUTPUTS:
        np.testing.assert_array_equal(serial[k], parallel[k], err_msg=k)


def test_brass_serial_groups_are_the_parallel_kernels(monkeypatch):
    from actuarial.demography.laws import heligman_pollard
    from actuarial.demography.lifetable import qx_to_mx
    from actuarial.demography.mortality import brass_mx

    hp = dict(A=0.00142, B=0.0350, C=0.1344, D=0.00041, E=10.79, F=24.78, G=0.0000211, H=1.1103)
    standard = np.array([qx_to_mx(heligman_pollard(**hp), True), qx_to_mx(heligman_pollard(**hp), False)])
    e0 = np.stack([np.linspace(70.0, 80.0, 6), np.linspace(65.0, 76.0, 6)], -1)[None].repeat(3, 0)  # (3, 6, sex)
    serial = brass_mx(standard, e0)
    monkeypatch.setattr(_kernels, "SERIAL_ROWS", 0)  # every batch to the parallel kernel
    np.testing.assert_array_equal(serial, brass_mx(standard, e0))


@pytest.mark.parametrize("closed", [False, True])
def test_one_scenario_pension_is_the_parallel_kernel(closed):
    from actuarial.projection import _pension_kernels as pension
    from actuarial.validation.pension_reference import run_kernel, small_case

    inputs = small_case()
    inputs["par"][pension.CLOSED] = 1.0 if closed else 0.0
    serial = run_kernel(inputs, pension.run_scheme)
    parallel = run_kernel(inputs, pension.project_scheme)
    assert any(np.any(v != 0.0) for v in serial.values())
    for k in serial:
        np.testing.assert_array_equal(serial[k], parallel[k], err_msg=k)
