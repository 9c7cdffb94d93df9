"""The employment-injury scheme (ILO C121): kernel against a plain-Python
reference of the rules, bad input, and properties of a short Demoland run.

The reference below is written from the rules stated in the module
docstrings of ``actuarial/projection/employment_injury.py`` and
``actuarial/projection/_injury_kernels.py``: claims are listed one by one,
each claim's benefits are worked out from the distributions of days lost and
degrees (not from the kernel's pre-averaged ``par``), and pensions are kept
in dictionaries keyed by (sector, type, sex, age). It shares no code with
the kernel. Conventions the docstrings leave open, and that the reference
takes from the kernel, are marked "UNSTATED".

The validation kinds of ``actuarial/validation/injury.py`` (capitalised values
against commutation sums, the stationary case, accounting identities of the
shipped file) are not repeated here.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import yaml

from actuarial.projection import _injury_kernels as kern

ROOT = Path(__file__).resolve().parents[1]
DEMOLAND = ROOT / "assumptions" / "demoland.yaml"
HORIZON = 10  # years: keeps the Demoland runs short
SHORT = {"case": {"horizon": HORIZON}, "pension": {"horizons": [HORIZON]},
         "employment_injury": {"gap_horizon": HORIZON}}

# =====================================================================================
# 1. kernel == plain-Python reference of the rules
# =====================================================================================

T, K, X = 3, 2, 101
LIFELONG = None  # payment stops at the age limit only for orphans


@dataclasses.dataclass(frozen=True)
class Rules:
    """The tiny case's scheme, in the docstrings' terms."""

    coverage: float = 0.9
    temporary_rate: float = 0.75
    waiting_days: int = 3
    days_lost: tuple = ((2.0, 0.2), (10.0, 0.5), (40.0, 0.3))  # (days, probability)
    days_per_year: float = 365.0
    permanent_rate: float = 0.7
    degree: tuple = ((0.1, 0.5), (0.3, 0.3), (0.6, 0.2))  # (degree, probability)
    lump_sum_below: float = 0.25
    lump_sum_years: float = 4.0
    spouse_rate: float = 0.4
    orphan_rate: float = 0.15
    orphans_per_death: float = 1.3
    orphan_age_limit: int = 18
    spouse_age_difference: int = 4  # husband's age minus wife's age
    survivors_maximum: float = 0.5
    funeral_grant: float = 0.1
    latency: int = 1


RULES = Rules()


def small_case() -> dict:
    """1 scenario, 2 sectors (the second with occupational disease), 3 years,
    ages 0..100 with insured at a handful of ages only."""
    r = RULES
    ages = np.arange(X)
    insured = np.zeros((1, T, 2, X))
    # female 20, 45 and 98 (a widower then is 102: clipped to the open group 100);
    # male 3 (a widow would be -1: clipped to 0), 30, 45 and 64
    for t, scale in enumerate((1.0, 1.08, 1.15)):
        insured[0, t, 0, [20, 45, 98]] = np.array([1200.0, 800.0, 40.0]) * scale
        insured[0, t, 1, [3, 30, 45, 64]] = np.array([25.0, 2000.0, 1500.0, 600.0]) * scale
    wage = np.zeros((1, T, 2, X))
    for t in range(T):
        for g in range(2):
            wage[0, t, g] = 50_000.0 * 1.05 ** t * (1 + 0.012 * ages) * (1.0 if g else 0.9)
    base_q = np.minimum(0.0008 + 0.00004 * np.exp(0.095 * ages), 0.6)
    q = np.zeros((1, T, 2, X))
    for t in range(T):
        q[0, t, 0] = base_q * 0.8 * 0.98 ** t
        q[0, t, 1] = base_q * 0.98 ** t
    q[0, :, :, 100] = 0.55  # x 2 (permanent total) is above 1: q = 1
    aw = np.array([[60_000.0, 63_000.0, 66_150.0]])
    interest = np.array([[0.05, 0.045, 0.04]])
    index = np.array([[0.03, 0.025, 0.02]])
    shares = np.array([0.7, 0.3])
    relw = np.array([0.85, 1.35])
    trend = np.array([[1.0, 0.9, 0.8], [1.0, 1.1, 1.2]])  # (sector, year)
    rates = np.array([[0.03, 0.004, 0.0005, 0.0002], [0.05, 0.006, 0.001, 0.0004]])
    incidence = np.ascontiguousarray(np.transpose(trend[:, :, None] * rates[:, None, :], (1, 0, 2)))
    age_rel = np.vstack([0.6 + 0.008 * ages, 1.4 - 0.005 * ages])
    disease = np.array([0.0, 0.004])
    disease_out = np.array([0.1, 0.4, 0.3, 0.2])
    married = np.vstack([np.clip(0.02 * (ages - 15), 0, 0.9), np.clip(0.025 * (ages - 16), 0, 0.95)])
    married[1, 3] = 0.1  # leaves a widow "aged -1"
    medical = np.array([0.02, 0.25, 1.0, 0.1])
    factors = np.array([1.1, 2.0, 1.0, 1.3])
    terminal = np.zeros((1, kern.N_TYPES, 2, X))
    for p in range(kern.N_TYPES):
        for g in range(2):
            terminal[0, p, g] = 16.0 * (1.0 - ages / 110.0) * (1 - 0.03 * p - 0.02 * g)
    terminal[0, kern.ORPHAN, :, r.orphan_age_limit:] = 0.0
    N0 = np.zeros((K, kern.N_TYPES, 2, X))
    B0 = np.zeros_like(N0)
    for k, p, g, x, n, avg in ((0, kern.TOTAL, 1, 50, 10.0, 7000.0),
                               (1, kern.ORPHAN, 0, 17, 3.0, 1500.0),  # leaves at the end of year 0
                               (1, kern.ORPHAN, 1, 16, 2.0, 1400.0),  # ... of year 1
                               (0, kern.SPOUSE, 0, 100, 2.0, 4000.0),  # open group
                               (1, kern.PARTIAL, 1, 99, 5.0, 2000.0),  # ages into the open group
                               (0, kern.TOTAL, 1, 100, 1.0, 6000.0)):  # q x factor above 1: dies
        N0[k, p, g, x] = n
        B0[k, p, g, x] = n * avg
    return dict(insured=insured, wage=wage, q=q, aw=aw, interest=interest, index=index, shares=shares,
                relw=relw, incidence=incidence, age_rel=age_rel, disease=disease, disease_out=disease_out,
                married=married, medical=medical, factors=factors, terminal=terminal, N0=N0, B0=B0)


def kernel_parameters(r: Rules = RULES) -> np.ndarray:
    """``par`` for the kernel: the same rules, averaged over the distributions."""
    par = np.zeros(kern.N_PAR)
    par[kern.TEMP_RATE] = r.temporary_rate
    par[kern.PAID_DAYS] = sum(p * max(d - r.waiting_days, 0) for d, p in r.days_lost)
    par[kern.DAYS_PER_YEAR] = r.days_per_year
    par[kern.PERM_RATE] = r.permanent_rate
    par[kern.PARTIAL_N] = sum(p for d, p in r.degree if d >= r.lump_sum_below)
    par[kern.PARTIAL_DEGREE] = sum(p * d for d, p in r.degree if d >= r.lump_sum_below)
    par[kern.PARTIAL_LUMP] = sum(p * d for d, p in r.degree if d < r.lump_sum_below) * r.lump_sum_years
    par[kern.SPOUSE_RATE] = r.spouse_rate
    par[kern.ORPHAN_RATE] = r.orphan_rate
    par[kern.ORPHANS] = r.orphans_per_death
    par[kern.ORPHAN_LIMIT] = r.orphan_age_limit
    par[kern.SPOUSE_DIFF] = r.spouse_age_difference
    par[kern.SURV_MAX] = r.survivors_maximum
    par[kern.FUNERAL] = r.funeral_grant
    par[kern.COVERAGE] = r.coverage
    par[kern.LATENCY] = r.latency
    return par


OUTPUTS = ("payroll", "insured", "claims", "disease_claims", "temporary", "lumps", "funeral", "medical",
           "paid", "capitalised", "liability", "awards_n", "awards_b", "beneficiaries_n", "beneficiaries_b",
           "deaths", "leavers", "award_detail")


def output_shapes(n: int, detail: bool = True) -> dict:
    return dict(payroll=(n, T, K), insured=(n, T, K), claims=(n, T, K, 4), disease_claims=(n, T, K),
                temporary=(n, T, K), lumps=(n, T, K), funeral=(n, T, K), medical=(n, T, K),
                paid=(n, T, K, 4), capitalised=(n, T, K), liability=(n, T + 1, K),
                awards_n=(n, T, 4, 2), awards_b=(n, T, 4, 2), beneficiaries_n=(n, T, 4, 2),
                beneficiaries_b=(n, T, 4, 2), deaths=(n, T, 4), leavers=(n, T, 4),
                award_detail=(n, T if detail else 0, 2, 4, 2, X))


def run_kernel(case: dict, detail: bool = True, par: np.ndarray | None = None) -> dict:
    n = max(case[k].shape[0] for k in ("insured", "wage", "q", "aw", "interest", "index", "terminal"))
    out = {k: np.zeros(s) for k, s in output_shapes(n, detail).items()}
    kern.project_injury(case["insured"], case["wage"], case["q"], case["aw"], case["interest"], case["index"],
                        case["shares"], case["relw"], case["incidence"], case["age_rel"], case["disease"],
                        case["disease_out"], case["married"], case["medical"], case["factors"],
                        kernel_parameters() if par is None else par, case["terminal"], case["N0"], case["B0"],
                        *(out[k] for k in OUTPUTS))
    return out


def reference_values(q: np.ndarray, factor: float, limit, i: np.ndarray, j: np.ndarray,
                     terminal: np.ndarray) -> list:
    """V[t][g][x] (t = 0..T) from the docstring's recursion:
    V(t, x) = (1 - q/2)(1 + i_t)^-1/2 + (1 - q)(1 + j_t)/(1 + i_t) V(t+1, x+1),
    V = 0 from the age limit on, the open group at the last age of q (A - 1)
    staying there."""
    A = q.shape[-1]
    V = [[[0.0] * A for _ in range(2)] for _ in range(T + 1)]
    for g in range(2):
        for x in range(A):
            V[T][g][x] = float(terminal[g, x])
    for t in range(T - 1, -1, -1):
        for g in range(2):
            for x in range(A):
                if limit is not None and x >= limit:
                    continue
                qq = min(factor * q[t, g, x], 1.0)
                older = min(x + 1, A - 1)
                later = 0.0 if limit is not None and x + 1 >= limit else V[t + 1][g][older]
                V[t][g][x] = (1 - qq / 2) / math.sqrt(1 + i[t]) + (1 - qq) * (1 + j[t]) / (1 + i[t]) * later
    return V


def reference_run(case: dict, s: int = 0, r: Rules = RULES) -> dict:
    """The outputs of scenario ``s`` (no scenario axis), event by event."""
    pick = lambda a: a[s] if a.shape[0] > 1 else a[0]  # noqa: E731 (scenario axis of length 1 broadcasts)
    insured, wage, q, aw = pick(case["insured"]), pick(case["wage"]), pick(case["q"]), pick(case["aw"])
    i, j, terminal = pick(case["interest"]), pick(case["index"]), pick(case["terminal"])
    shares, relw, incidence, age_rel = case["shares"], case["relw"], case["incidence"], case["age_rel"]
    married, medical, factors = case["married"], case["medical"], case["factors"]
    A = q.shape[-1]  # pensioners' ages 0..A-1 (A >= X, the insured's)
    out = {k: np.zeros(shape[1:]) for k, shape in output_shapes(1).items()}
    limits = [LIFELONG, LIFELONG, LIFELONG, r.orphan_age_limit]
    V = [reference_values(q, factors[p], limits[p], i, j, terminal[p]) for p in range(4)]

    stock = defaultdict(lambda: [0.0, 0.0])  # (k, p, g, x) -> [persons, annual amount] at 1 January
    for idx in zip(*np.nonzero(case["N0"])):
        stock[tuple(int(v) for v in idx)] = [float(case["N0"][idx]), float(case["B0"][idx])]

    for t in range(T):
        # --- claims: one record per (sector, sex, age, outcome) --------------------------
        events = []  # (k, g, x, claim type, number of claims, reference earnings)
        for k in range(K):
            for g in range(2):
                for x in range(X):
                    I = insured[t, g, x] * r.coverage * shares[k]
                    w = wage[t, g, x] * relw[k]
                    out["insured"][t, k] += I
                    out["payroll"][t, k] += I * w
                    exposed = 0.0
                    if case["disease"][k] > 0 and x >= r.latency:
                        # UNSTATED: before year L the exposure is the first year's insured
                        exposed = (insured[max(t - r.latency, 0), g, x - r.latency] * r.coverage * shares[k]
                                   * case["disease"][k])
                        out["disease_claims"][t, k] += exposed
                    for c in range(4):
                        n = I * incidence[t, k, c] * age_rel[g, x] + exposed * case["disease_out"][c]
                        if n != 0.0:
                            events.append((k, g, x, c, n, w))
        # --- benefits of each claim ---------------------------------------------------------
        awards = defaultdict(lambda: [0.0, 0.0])  # (k, p, g, age at award) -> [persons, annual amount]
        for k, g, x, c, n, w in events:
            out["claims"][t, k, c] += n
            out["medical"][t, k] += n * medical[c] * aw[t]
            if c == kern.TEMPORARY:
                for days, prob in r.days_lost:
                    paid_days = max(days - r.waiting_days, 0)
                    out["temporary"][t, k] += n * prob * paid_days * r.temporary_rate * w / r.days_per_year
            elif c == kern.PERM_PARTIAL:
                for degree, prob in r.degree:
                    pension = degree * r.permanent_rate * w
                    if degree >= r.lump_sum_below:
                        awards[k, kern.PARTIAL, g, x][0] += n * prob
                        awards[k, kern.PARTIAL, g, x][1] += n * prob * pension
                    else:
                        out["lumps"][t, k] += n * prob * r.lump_sum_years * pension
            elif c == kern.PERM_TOTAL:
                awards[k, kern.TOTAL, g, x][0] += n
                awards[k, kern.TOTAL, g, x][1] += n * r.permanent_rate * w
            else:  # fatal
                out["funeral"][t, k] += n * r.funeral_grant * aw[t]
                wed = married[g, x]
                family = wed * r.spouse_rate + r.orphans_per_death * r.orphan_rate
                cap = min(1.0, r.survivors_maximum / family) if family > 0 else 1.0
                # the survivor is of the other sex; husband's age - wife's age = difference
                spouse_age = x + r.spouse_age_difference if g == 0 else x - r.spouse_age_difference
                spouse_age = min(max(spouse_age, 0), X - 1)  # UNSTATED: clipped to 0..100
                awards[k, kern.SPOUSE, 1 - g, spouse_age][0] += n * wed
                awards[k, kern.SPOUSE, 1 - g, spouse_age][1] += n * wed * r.spouse_rate * w * cap
                orphans = n * r.orphans_per_death
                cells = 2 * r.orphan_age_limit
                for h in range(2):
                    for y in range(r.orphan_age_limit):
                        awards[k, kern.ORPHAN, h, y][0] += orphans / cells
                        awards[k, kern.ORPHAN, h, y][1] += orphans * r.orphan_rate * w * cap / cells
        # --- pensions: stocks at 1 January, payments, values, next year's stocks -------------
        new_stock = defaultdict(lambda: [0.0, 0.0])
        for key in set(stock) | set(awards):
            k, p, g, x = key
            n, b = stock.get(key, (0.0, 0.0))
            an, ab = awards.get(key, (0.0, 0.0))
            out["beneficiaries_n"][t, p, g] += n
            out["beneficiaries_b"][t, p, g] += b
            out["awards_n"][t, p, g] += an
            out["awards_b"][t, p, g] += ab
            if an or ab:  # awards only at the insured's ages (and spouses' clipped to them)
                out["award_detail"][t, 0, p, g, x] += an
                out["award_detail"][t, 1, p, g, x] += ab
            out["liability"][t, k] += b * V[p][t][g][x]
            qq = min(factors[p] * q[t, g, x], 1.0)
            alive_next = (1 - qq) / (1 - qq / 2) if qq < 1 else 0.0  # of an award at mid-year
            out["paid"][t, k, p] += b * (1 - qq / 2) + 0.5 * ab
            leaves = limits[p] is not None and x + 1 >= limits[p]
            V_next = 0.0 if leaves else V[p][t + 1][g][min(x + 1, A - 1)]
            W = 0.5 + alive_next * (1 + j[t]) / math.sqrt(1 + i[t]) * V_next
            out["capitalised"][t, k] += ab * W
            out["deaths"][t, p] += n * qq + an * (1 - alive_next)
            survivors = n * (1 - qq) + an * alive_next
            if leaves:
                out["leavers"][t, p] += survivors
                continue
            nxt = new_stock[k, p, g, min(x + 1, A - 1)]
            nxt[0] += survivors
            nxt[1] += (b * (1 - qq) + ab * alive_next) * (1 + j[t])
        stock = new_stock
    for (k, p, g, x), (n, b) in stock.items():
        out["liability"][T, k] += b * V[p][T][g][x]
    return out


def assert_outputs_close(got: dict, want: dict, s: int = 0, rtol: float = 1e-12):
    for key in OUTPUTS:
        if got[key].shape[1] == 0:
            continue
        np.testing.assert_allclose(got[key][s], want[key], rtol=rtol, atol=0, err_msg=key)


def test_small_case_exercises_every_rule():
    case = small_case()
    want = reference_run(case)
    for key in ("disease_claims", "temporary", "lumps", "funeral", "medical", "capitalised"):
        assert want[key].sum() > 0, key
    assert (want["claims"].sum((0, 1)) > 0).all()
    assert (want["awards_n"].sum((0, 2)) > 0).all() and (want["paid"].sum((0, 1)) > 0).all()
    assert want["leavers"][:, kern.ORPHAN].min() > 0  # orphans leave in every year
    assert want["leavers"][:, :kern.ORPHAN].sum() == 0
    assert want["disease_claims"][:, 0].sum() == 0  # only the second sector has disease
    # disease claims at ages with nobody insured this year (exposure one year earlier)
    assert case["insured"][0, 0, 1, 31] == 0 and want["award_detail"][0, 0, kern.TOTAL, 1, 31] > 0
    # the survivors' cap binds at some ages and not at others
    family = case["married"] * RULES.spouse_rate + RULES.orphans_per_death * RULES.orphan_rate
    ages = np.nonzero(case["insured"][0, 0].sum(0))[0]
    assert (family[:, ages] > RULES.survivors_maximum).any() and (family[:, ages] < RULES.survivors_maximum).any()
    # spouses' ages clipped at both ends
    assert want["award_detail"][0, 0, kern.SPOUSE, 1, 100] > 0 and want["award_detail"][0, 0, kern.SPOUSE, 0, 0] > 0
    # q x factor above 1 where a pensioner is (permanent total at 100): all die in the year
    assert case["factors"][kern.TOTAL] * case["q"][0, 0, 1, 100] > 1 and case["N0"][0, kern.TOTAL, 1, 100] > 0


def test_kernel_matches_reference():
    case = small_case()
    assert_outputs_close(run_kernel(case), reference_run(case))


def extended_case(A: int = 131) -> dict:
    """The small case with pensioners' ages 0..A-1: q past 100 on a made-up
    rising tail (the kernel takes any q by age), pensioners at 100 (no longer
    an open group), 101, 117 and 129 (who ages into the last age, an open
    group), and a terminal V to age A-1."""
    case = small_case()
    tail = np.minimum(0.5 + 0.012 * np.arange(1, A - X + 1), 0.97)
    q = np.concatenate([case["q"], np.broadcast_to(tail, (*case["q"].shape[:-1], A - X))], axis=-1)
    q[..., 100] = 0.45  # x 2 (permanent total) is below 1 now
    q[0, :, 0, 101:] *= 0.9  # women live longer past 100
    pad = lambda a: np.concatenate([a, np.zeros((*a.shape[:-1], A - X))], axis=-1)  # noqa: E731
    N0, B0, terminal = pad(case["N0"]), pad(case["B0"]), pad(case["terminal"])
    terminal[:, :kern.ORPHAN, :, X:] = np.linspace(1.4, 1.0, A - X)
    for k, p, g, x, n, avg in ((0, kern.SPOUSE, 1, 101, 3.0, 5000.0), (1, kern.TOTAL, 0, 117, 1.5, 3000.0),
                               (0, kern.PARTIAL, 0, A - 2, 2.0, 2500.0), (1, kern.SPOUSE, 0, A - 1, 1.0, 2000.0)):
        N0[k, p, g, x] = n
        B0[k, p, g, x] = n * avg
    return {**case, "q": np.ascontiguousarray(q), "N0": N0, "B0": B0, "terminal": terminal}


def test_kernel_matches_reference_past_100():
    """Pensioners followed by single age past 100 (``employment_injury`` passes
    q to age 130): stocks, payments, deaths and values as the reference's."""
    case = extended_case()
    got, want = run_kernel(case), reference_run(case)
    assert_outputs_close(got, want)
    assert got["award_detail"].shape[-1] == X  # awards by the insured's ages 0..100
    # the pensioner at 129 ages into the open group 130, the one there stays: both alive in year 2
    n_last = want["beneficiaries_n"][T - 1, kern.PARTIAL, 0] + want["beneficiaries_n"][T - 1, kern.SPOUSE, 0]
    assert n_last > 0


def test_award_detail_is_optional():
    case = small_case()
    full, short = run_kernel(case), run_kernel(case, detail=False)
    assert short["award_detail"].shape[1] == 0
    for key in OUTPUTS[:-1]:
        np.testing.assert_array_equal(short[key], full[key], err_msg=key)


def test_scenario_axis_broadcasts():
    """Two scenarios of insured, all else shared: each row is the reference of its scenario."""
    case = small_case()
    case["insured"] = np.concatenate([case["insured"], 1.3 * case["insured"]])
    got = run_kernel(case)
    for s in range(2):
        assert_outputs_close(got, reference_run(case, s), s)
    np.testing.assert_allclose(got["claims"][1, 0], 1.3 * got["claims"][0, 0], rtol=1e-12)



def run_pooled_kernel(case: dict) -> dict:
    """The kernel with the pensioners pooled across sectors (stochastic chunks:
    ``paid``, ``capitalised``, ``liability`` on one "sector")."""
    out = {k: np.zeros(s) for k, s in output_shapes(1).items()}
    for key in ("paid", "capitalised", "liability"):
        out[key] = np.zeros((*out[key].shape[:2], 1, *out[key].shape[3:]))
    kern.project_injury(*(case[k] for k in ("insured", "wage", "q", "aw", "interest", "index", "shares", "relw",
                                            "incidence", "age_rel", "disease", "disease_out", "married",
                                            "medical", "factors")),
                        kernel_parameters(), case["terminal"], case["N0"], case["B0"], *(out[k] for k in OUTPUTS))
    return out


def test_pooled_kernel_matches_the_reference_summed_over_sectors():
    """Pooled pensioners: the claims by sector as the reference's, the pension
    flows its sectors' sums; the awards by age are the by-sector kernel's to
    rounding (the pooled kernel sums the sectors' rates into coefficients before
    the ages, ``_pooled_claims``: the same sums in another order; the spouses
    clipped to ages 0 and 100 included: sector 2's exposed at 99 and 4 add to
    the insured at 98 and 3 there)."""
    case = small_case()
    want = reference_run(case)
    got, full = run_pooled_kernel(case), run_kernel(case)
    for key in OUTPUTS:
        w = want[key].sum(1, keepdims=True) if key in ("paid", "capitalised", "liability") else want[key]
        np.testing.assert_allclose(got[key][0], w, rtol=1e-12, atol=0, err_msg=key)
    np.testing.assert_allclose(got["award_detail"], full["award_detail"], rtol=1e-12, atol=0)
    assert full["award_detail"][0, 0, 0, kern.SPOUSE, 1, 100] > 0 and full["award_detail"][0, 0, 0, kern.SPOUSE, 0, 0] > 0

def test_parameters_from_the_parsed_rules(demoland):
    """``_parameters`` averages Demoland's distributions as the rules say (hand sums)."""
    from actuarial.projection.employment_injury import _parameters

    par = _parameters(demoland.employment_injury)
    # days lost 7..240 less 3 waiting days
    assert par[kern.PAID_DAYS] == pytest.approx(.35 * 4 + .25 * 11 + .2 * 27 + .1 * 57 + .07 * 117 + .03 * 237)
    assert par[kern.PARTIAL_N] == pytest.approx(0.12 + 0.08 + 0.05)  # degrees >= 0.25
    assert par[kern.PARTIAL_DEGREE] == pytest.approx(0.3 * 0.12 + 0.5 * 0.08 + 0.7 * 0.05)
    assert par[kern.PARTIAL_LUMP] == pytest.approx((0.05 * 0.3 + 0.1 * 0.25 + 0.2 * 0.2) * 5)
    assert par[kern.LATENCY] == 15 and par[kern.SPOUSE_DIFF] == 4 and par[kern.ORPHAN_LIMIT] == 18


# =====================================================================================
# 2. Bad input
# =====================================================================================

def child_yaml(folder: Path, name: str, body: dict, parent: Path = DEMOLAND) -> Path:
    """A file that extends ``parent`` with a short horizon and overrides ``body``."""
    from actuarial.assumptions.loader import deep_merge

    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"extends": str(parent), **deep_merge(SHORT, body)}, sort_keys=False))
    return path


def standalone_yaml(folder: Path, name: str, edit) -> Path:
    """Demoland copied whole (short horizon), its ``employment_injury`` section
    changed in place by ``edit``: for removing keys, which ``extends`` cannot."""
    from actuarial.assumptions.loader import deep_merge, read_yaml

    data = deep_merge(read_yaml(DEMOLAND), SHORT)
    data["employment_injury"] = copy.deepcopy(data["employment_injury"])
    edit(data["employment_injury"])
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def load(path):
    from actuarial.assumptions import load_assumptions

    return load_assumptions(path)


def load_error(path) -> str:
    from actuarial.errors import AssumptionError

    with pytest.raises(AssumptionError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message or str(DEMOLAND) in message, message  # names a file
    return message


def one_sector(incidence: dict, **extra) -> dict:
    return {"manufacturing": {"share": 1.0, "incidence": incidence, **extra}}


def _no_disease_section(inj):
    del inj["occupational_disease"]


BAD_INJURY = [
    ("negative_incidence", {"sectors": {"trade": {"incidence": {"fatal": -3}}}},
     "employment_injury.sectors.trade.incidence.fatal", None),
    ("shares", {"sectors": {"agriculture": {"share": 0.2}}}, "employment_injury.sectors", "summing to 1"),
    ("degree_probabilities", {"permanent": {"degree": {"values": [0.1, 0.5], "probabilities": [0.5, 0.4]}}},
     "employment_injury.permanent.degree.probabilities", "summing to 1"),
    ("days_lengths", {"temporary": {"days_lost": {"values": [7, 14, 30], "probabilities": [0.5, 0.5]}}},
     "employment_injury.temporary.days_lost", "length"),
    ("replacement_above_1", {"temporary": {"replacement_rate": 1.2}},
     "employment_injury.temporary.replacement_rate", "allow_replacement_above_1"),
    ("survivor_rate_above_1", {"survivors": {"spouse_rate": 1.5}},
     "employment_injury.survivors.spouse_rate", "allow_replacement_above_1"),
    ("sector_typo", {"sectors": {"mining": {"shrae": 0.02}}}, "employment_injury.sectors.mining.shrae",
     "did you mean 'share'"),
    ("financing_method", {"financing_method": "funded"}, "employment_injury.financing_method", "payg"),
    ("gap_horizon", {"gap_horizon": HORIZON + 1}, "employment_injury.gap_horizon", "case.horizon"),
]


@pytest.mark.parametrize(("name", "body", "key", "words"), BAD_INJURY, ids=[c[0] for c in BAD_INJURY])
def test_bad_injury_input_names_the_key(tmp_path, name, body, key, words):
    message = load_error(child_yaml(tmp_path, name, {"employment_injury": body}))
    assert f": {key}:" in message, message
    if words:
        assert words in message, message


def test_replacement_above_1_loads_when_allowed(tmp_path):
    a = load(child_yaml(tmp_path, "allowed", {"employment_injury": {
        "allow_replacement_above_1": True, "temporary": {"replacement_rate": 1.2}}}))
    assert a.employment_injury.temporary_rate == 1.2


def test_disease_sector_needs_the_occupational_disease_section(tmp_path):
    message = load_error(standalone_yaml(tmp_path, "no_disease", _no_disease_section))
    assert ": employment_injury.occupational_disease:" in message, message
    # an explicit null is no better
    message = load_error(child_yaml(tmp_path, "null_disease", {"employment_injury": {"occupational_disease": None}}))
    assert ": employment_injury.occupational_disease:" in message, message


def test_without_disease_sectors_the_section_is_optional(tmp_path):
    def edit(inj):
        del inj["occupational_disease"]
        for sector in inj["sectors"].values():
            sector.pop("occupational_disease", None)

    a = load(standalone_yaml(tmp_path, "no_disease_at_all", edit))
    assert all(s.disease == 0 for s in a.employment_injury.sectors)


def test_rate_per_1000_given_as_per_worker_is_out_of_bounds(tmp_path):
    """fatal: 14 (meant per 1,000 or 100,000) with no incidence_per: 14 > 1 a worker a year."""
    def edit(inj):
        del inj["incidence_per"]
        del inj["occupational_disease"]
        inj["sectors"] = one_sector({"temporary": 0.02, "permanent_partial": 0.002, "permanent_total": 0.0001,
                                     "fatal": 14})

    message = load_error(standalone_yaml(tmp_path, "per_1000", edit))
    assert ": employment_injury.sectors.manufacturing.incidence.fatal:" in message, message


def test_implausible_per_worker_rate_warns_with_the_key(tmp_path):
    """fatal: 0.014 a worker a year is 1,400 per 100,000: loads, with a warning."""
    from actuarial.assumptions.injury import AssumptionWarning

    def edit(inj):
        del inj["incidence_per"]
        del inj["occupational_disease"]
        inj["sectors"] = one_sector({"temporary": 0.02, "permanent_partial": 0.002, "permanent_total": 0.0001,
                                     "fatal": 0.014})

    path = standalone_yaml(tmp_path, "implausible", edit)
    with pytest.warns(AssumptionWarning) as record:
        a = load(path)
    assert a.employment_injury.sectors[0].incidence[3] == 0.014
    messages = [str(w.message) for w in record if issubclass(w.category, AssumptionWarning)]
    assert len(messages) == 1, messages  # only the fatal rate is implausible
    assert "employment_injury.sectors.manufacturing.incidence.fatal" in messages[0]
    assert str(path) in messages[0]


def test_implausible_rate_warning_states_the_unit_given(tmp_path):
    """Rates given per worker (no incidence_per) must not be called rates per 1,000."""
    from actuarial.assumptions.injury import AssumptionWarning

    def edit(inj):
        del inj["incidence_per"]
        del inj["occupational_disease"]
        inj["sectors"] = one_sector({"temporary": 0.02, "permanent_partial": 0.002, "permanent_total": 0.0001,
                                     "fatal": 0.014})

    with pytest.warns(AssumptionWarning) as record:
        load(standalone_yaml(tmp_path, "unit", edit))
    message = str(record[0].message)
    assert "0.014 per 1,000" not in message, message
    assert "0.014 per insured worker" in message or "0.014 a worker" in message, message


def test_plausible_rates_do_not_warn(tmp_path):
    from actuarial.assumptions.injury import AssumptionWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", AssumptionWarning)
        load(child_yaml(tmp_path, "plain", {}))


def _sector_names():
    from actuarial.assumptions import injury

    if not hasattr(injury, "SECTOR_NAMES"):
        pytest.skip("no SECTOR_NAMES check in actuarial.assumptions.injury")
    return injury.SECTOR_NAMES


def test_misspelt_sector_name_has_a_hint(tmp_path):
    names = _sector_names()

    def edit(inj):
        del inj["occupational_disease"]
        inj["sectors"] = {"manufactoring": {"share": 1.0, "incidence": {
            "temporary": 2800, "permanent_partial": 220, "permanent_total": 5, "fatal": 7}}}

    message = load_error(standalone_yaml(tmp_path, "misspelt", edit))
    assert ": employment_injury.sectors.manufactoring:" in message, message
    assert "did you mean" in message, message
    if "manufacturing" in names:
        assert "'manufacturing'" in message, message


def test_custom_sector_accepts_any_name(tmp_path):
    _sector_names()

    def edit(inj):
        del inj["occupational_disease"]
        rates = {"temporary": 2800, "permanent_partial": 220, "permanent_total": 5, "fatal": 7}
        inj["sectors"] = {"manufactoring": {"share": 0.4, "custom": True, "incidence": rates},
                          "Risk class 3 (oil rigs)": {"share": 0.6, "custom": True, "incidence": rates}}

    a = load(standalone_yaml(tmp_path, "custom", edit))
    assert a.employment_injury.sector_names == ("manufactoring", "Risk class 3 (oil rigs)")


# =====================================================================================
# 3. Properties of a short Demoland run
# =====================================================================================

def run_tree(path):
    from actuarial.pipeline import run

    return run(load(path))


def injury_of(path) -> "xr.Dataset":  # noqa: F821
    return run_tree(path)["employment_injury"].to_dataset().isel(scenario=0)


NO_INITIAL = {"initial": {"reserve": 0.0, "beneficiaries": None}}


def scaled_sectors(factor: float) -> dict:
    from actuarial.assumptions.loader import read_yaml

    sectors = read_yaml(DEMOLAND)["employment_injury"]["sectors"]
    out = {}
    for name, sector in sectors.items():
        out[name] = {"incidence": {c: factor * v for c, v in sector["incidence"].items()}}
        if "occupational_disease" in sector:
            out[name]["occupational_disease"] = factor * sector["occupational_disease"]
    return out


@pytest.fixture(scope="module")
def base_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("injury_base")
    tree = run_tree(child_yaml(folder, "base", {}))
    return tree


@pytest.fixture(scope="module")
def no_initial(tmp_path_factory):
    folder = tmp_path_factory.mktemp("injury_no_initial")
    return injury_of(child_yaml(folder, "no_initial", {"employment_injury": NO_INITIAL}))


CLAIMS_DRIVEN = ["temporary", "lump_sum", "permanent_partial", "permanent_total", "spouse", "orphan",
                 "funeral", "medical_care", "administration"]


def test_doubling_incidence_doubles_claims_and_payg_cost(tmp_path, no_initial):
    doubled = injury_of(child_yaml(tmp_path, "double", {"employment_injury": {
        **NO_INITIAL, "sectors": scaled_sectors(2.0)}}))
    assert float(no_initial["claims"].sum()) > 0
    np.testing.assert_allclose(doubled["claims"].values, 2 * no_initial["claims"].values, rtol=1e-12)
    np.testing.assert_allclose(doubled["occupational_disease_claims"].values,
                               2 * no_initial["occupational_disease_claims"].values, rtol=1e-12)
    for benefit in CLAIMS_DRIVEN:
        np.testing.assert_allclose(doubled["expenditure"].sel(benefit=benefit).values,
                                   2 * no_initial["expenditure"].sel(benefit=benefit).values, rtol=1e-12,
                                   err_msg=benefit)
    payg = lambda ds: ds["cost_rate"].sel(financing_method="payg").values  # noqa: E731
    np.testing.assert_allclose(payg(doubled), 2 * payg(no_initial), rtol=1e-12)
    np.testing.assert_allclose(doubled["insurable_earnings"].values, no_initial["insurable_earnings"].values,
                               rtol=1e-15)
    # and the same as halving incidence_per (rates per 50,000 instead of per 100,000)
    per = injury_of(child_yaml(tmp_path, "per_50000", {"employment_injury": {**NO_INITIAL,
                                                                             "incidence_per": 50000}}))
    np.testing.assert_allclose(per["claims"].values, doubled["claims"].values, rtol=1e-12)


def test_claims_in_the_base_year_are_insured_x_rates(base_run, demoland):
    """The age-sex relativity has a mean of 1 over the base year's insured: a
    sector's first-year claims (no disease) are its insured x its rates."""
    e = base_run["employment_injury"].to_dataset().isel(scenario=0, year=0)
    for s in demoland.employment_injury.sectors:
        if s.disease > 0:
            continue
        np.testing.assert_allclose(e["claims"].sel(sector=s.name).values,
                                   float(e["insured"].sel(sector=s.name)) * np.array(s.incidence), rtol=1e-12)


def _zero_incidence(tmp_path):
    return child_yaml(tmp_path, "zero", {"employment_injury": {**NO_INITIAL, "sectors": scaled_sectors(0.0)}})


def test_zero_incidence_and_no_pensioners_cost_nothing(tmp_path):
    path = _zero_incidence(tmp_path)
    with warnings.catch_warnings():  # funded_ratio is 0/0 here: see the next test
        warnings.simplefilter("ignore", RuntimeWarning)
        e = injury_of(path)
    assert float(np.abs(e["claims"]).max()) == 0.0
    assert float(np.abs(e["expenditure"]).max()) == 0.0
    assert float(np.abs(e["total_expenditure"]).max()) == 0.0
    assert float(np.abs(e["cost_rate"]).max()) == 0.0
    assert float(np.abs(e["sector_rate"]).max()) == 0.0
    assert float(np.abs(e["reserve"]).max()) == 0.0
    assert float(e["insurable_earnings"].min()) > 0


def test_zero_incidence_runs_without_numpy_warnings(tmp_path):
    """No liability (and no reserve) must not divide 0 by 0 with a RuntimeWarning
    (the project's pytest settings make those errors)."""
    path = _zero_incidence(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        injury_of(path)


def test_payg_reserve_grows_only_by_interest(tmp_path):
    tree = run_tree(child_yaml(tmp_path, "payg", {"employment_injury": {"financing_method": "payg"}}))
    e = tree["employment_injury"].to_dataset().isel(scenario=0)
    i = tree["economy"].to_dataset()["interest_rate"].values.reshape(-1)
    np.testing.assert_allclose(e["contribution_income"].values, e["total_expenditure"].values, rtol=1e-12)
    np.testing.assert_allclose(e["contribution_rate"].values,
                               e["cost_rate"].sel(financing_method="payg").values, rtol=0)
    F = e["reserve"].values
    assert F[0] == 8.0e10
    np.testing.assert_allclose(F[1:], F[:-1] * (1 + i[:-1]), rtol=1e-12)
    np.testing.assert_allclose(e["reserve_end"].values, F * (1 + i), rtol=1e-12)


def test_capitalised_reserve_stays_at_the_liability(tmp_path):
    e = injury_of(child_yaml(tmp_path, "capitalised", {"employment_injury": {
        "financing_method": "constituent_capitals", "initial": {"reserve": "capitalised"}}}))
    assert float(e["liability"].isel(year=0)) > 0
    np.testing.assert_allclose(e["reserve"].values, e["liability"].values, rtol=1e-12)
    np.testing.assert_allclose(e["reserve_end"].values, e["liability_end"].values, rtol=1e-12)
    np.testing.assert_allclose(e["funded_ratio"].values, 1.0, rtol=1e-12)


def test_wage_relativities_move_sector_payrolls_not_the_total(tmp_path, base_run, demoland):
    flat = {name: {"wage_relativity": 1.0} for name in demoland.employment_injury.sector_names}
    e = injury_of(child_yaml(tmp_path, "flat", {"employment_injury": {"sectors": flat}}))
    b = base_run["employment_injury"].to_dataset().isel(scenario=0)
    np.testing.assert_allclose(e["insurable_earnings"].values, b["insurable_earnings"].values, rtol=1e-12)
    np.testing.assert_allclose(b["insurable_payroll"].sum("sector").values, b["insurable_earnings"].values,
                               rtol=1e-12)
    assert not np.allclose(e["insurable_payroll"].values, b["insurable_payroll"].values, rtol=1e-3)
    # sector payroll = total x share x relativity / sum(share x relativity)
    sectors = demoland.employment_injury.sectors
    share = np.array([s.share for s in sectors])
    rel = np.array([s.wage_relativity for s in sectors])
    expected = b["insurable_earnings"].values[:, None] * (share * rel / (share * rel).sum())
    np.testing.assert_allclose(b["insurable_payroll"].transpose("year", "sector").values, expected, rtol=1e-12)
    np.testing.assert_allclose(e["insurable_payroll"].transpose("year", "sector").values,
                               e["insurable_earnings"].values[:, None] * share, rtol=1e-12)


def test_standard_replacement_rates_follow_the_inputs(tmp_path, base_run):
    b = base_run["employment_injury"].to_dataset()
    # Demoland: 75%, 70%, widow with two children min(40% + 2 x 15%, 70%)
    np.testing.assert_allclose(b["standard_replacement_rate"].values, [0.75, 0.70, 0.70], rtol=1e-15)
    np.testing.assert_allclose(b["standard_minimum"].values, [0.6, 0.6, 0.5], rtol=0)
    assert list(b["check"].values) == ["temporary", "permanent_total", "survivors_widow_two_children"]
    e = injury_of(child_yaml(tmp_path, "rates", {"employment_injury": {
        "temporary": {"replacement_rate": 0.55}, "permanent": {"replacement_rate": 0.65},
        "survivors": {"spouse_rate": 0.3, "orphan_rate": 0.1, "maximum_rate": 0.9}}}))
    np.testing.assert_allclose(e["standard_replacement_rate"].values, [0.55, 0.65, 0.5], rtol=1e-15)
    assert (e["standard_replacement_rate"] < e["standard_minimum"]).values.tolist() == [True, False, False]


def test_every_variable_has_units_and_long_name(base_run):
    e = base_run["employment_injury"].to_dataset()
    assert len(e.data_vars) > 20
    for name, var in e.data_vars.items():
        assert isinstance(var.attrs.get("units"), str) and var.attrs["units"], name
        assert isinstance(var.attrs.get("long_name"), str) and var.attrs["long_name"], name


def test_spf_employment_injury_coverage_is_insured_over_employed(base_run):
    spf = base_run["spf"].to_dataset()
    e = base_run["employment_injury"].to_dataset()
    employed = base_run["labour"].to_dataset()["employed"].sum("age")
    assert "employment_injury" in list(spf["indicator"].values)
    got = spf["coverage"].sel(indicator="employment_injury").transpose("scenario", "year", "sex")
    want = np.minimum(e["insured_by_sex"] / employed, 1.0).transpose("scenario", "year", "sex")
    assert float(got.min()) > 0 and float(got.max()) <= 1
    np.testing.assert_allclose(got.values, want.values, rtol=1e-12)
    # insured by sex = covered employees (the pension stage's contributors) x coverage
    contributors = base_run["labour"].to_dataset()["contributors"].sum("age")  # coverage 1 in Demoland
    insured = e["insured_by_sex"]
    np.testing.assert_allclose(insured.values, contributors.broadcast_like(insured).transpose(*insured.dims).values,
                               rtol=1e-12)


def test_spf_has_no_injury_indicator_without_the_stage(tmp_path):
    a = load(child_yaml(tmp_path, "plain", {}))
    from actuarial.pipeline import run

    tree = run(dataclasses.replace(a, employment_injury=None))
    assert "employment_injury" not in list(tree["spf"].to_dataset()["indicator"].values)


def test_pooled_pensioners_give_the_same_totals(demoland):
    """by_sector=False (stochastic summaries) pools the sectors' pensioners: same totals."""
    from actuarial.pipeline import stages
    from actuarial.projection.employment_injury import project_injury

    nodes = stages(demoland)
    args = (demoland.employment_injury, demoland.labour, nodes["/demography"], nodes["/labour"],
            nodes["/economy"])
    full = project_injury(*args)
    pooled = project_injury(*args, by_sector=False)
    assert "sector_rate" in full and "sector_rate" not in pooled
    for name in ("total_expenditure", "liability", "capitalised_awards", "cost_rate", "reserve", "beneficiaries",
                 "expenditure", "claims", "insurable_payroll"):
        np.testing.assert_allclose(pooled[name].values, full[name].values, rtol=1e-12, err_msg=name)


def test_open_group_spread_is_the_stationary_population():
    """Initial pensioners given at 100 (100+) spread over 100..130 so that, with
    no awards past 100, the kernel's ageing leaves the shape unchanged:
    N(x+1) = N(x)(1 - q_x) to 129, N(130) q_130 = N(129)(1 - q_129)."""
    from actuarial.projection.employment_injury import spread_open_group

    ages = np.arange(131)
    law = np.exp(0.09 * (ages - 60))
    q0 = np.vstack([np.minimum(0.002 * law, 0.9), np.minimum(0.003 * law, 0.95)])
    values = np.vstack([np.linspace(1, 2, 101), np.linspace(3, 1, 101)])
    out = spread_open_group(values, q0)
    np.testing.assert_array_equal(out[:, :100], values[:, :100])
    np.testing.assert_allclose(out[:, 100:].sum(1), values[:, 100], rtol=1e-14)
    np.testing.assert_allclose(out[:, 101:130], out[:, 100:129] * (1 - q0[:, 100:129]), rtol=1e-12)
    np.testing.assert_allclose(out[:, 130] * q0[:, 130], out[:, 129] * (1 - q0[:, 129]), rtol=1e-12)


def test_capitalised_values_state_the_table_past_100(base_run):
    e = base_run["employment_injury"].to_dataset()
    for name in ("liability", "liability_end", "capitalised_awards", "funded_ratio"):
        assert "Gompertz law fitted to ages 80-99, to age 130" in e[name].attrs["long_name"], name
