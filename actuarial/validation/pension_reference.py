"""Plain-Python reference of the pension scheme rules, and a small hand case.

Written from the rules stated in the module docstrings of
``actuarial/projection/_pension_kernels.py`` and ``pension.py``, one event at
a time, with dictionaries keyed by (sex, age, credits); it shares no code
with the numba kernel, which the tests and ``actuarial validate`` compare
with it (the lifelib pattern: a slow readable model beside the fast one).
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from actuarial.projection import _pension_kernels as kern

FEMALE, MALE = 0, 1
OLD_AGE, INVALIDITY, SURVIVORS = 0, 1, 2
FLOWS = ("entrants", "reentrants", "to_inactive", "deaths_insured", "invalidity_awarded",
         "invalidity_not_vested", "retired_vested", "retired_not_vested",
         "deaths_pensioners", "survivor_awards")


# =====================================================================================
# Plain-Python reference of the scheme rules
# =====================================================================================

@dataclass(frozen=True)
class Rules:
    accrual: float  # pension per credited year, share of reference earnings
    vesting: int  # credits for an old-age pension (and survivors of inactive insured)
    invalidity_vesting: int  # credits for an invalidity pension (and survivors of actives)
    survivor_share: float  # survivor's pension / deceased's pension or entitlement
    spouse_age_difference: int  # husband's age minus wife's age
    reentry_rate: float  # at most this share of the inactive resume in a year
    invalidity_mortality: float  # invalidity pensioners' q / population q
    maximum_share: float  # maximum pension, share of reference earnings
    closed: bool = False  # closed group: no new entrants


@dataclass(frozen=True)
class Year:
    """What the rules need of year t (one scenario)."""

    target: np.ndarray  # (2, X) contributors wanted at 1 January t
    q: np.ndarray  # (2, X) death probabilities during t
    level: np.ndarray  # (2,) wage at salary scale 1 in year t
    ceiling: float  # contribution ceiling (currency) in year t
    minimum: float  # minimum pension (currency) of awards in year t
    indexation: float  # applied on 1 January t+1 to pensions in payment during t
    lump_rate: float  # lump sum = rate x credits x reference earnings
    pensionable_age_next: tuple  # (female, male) pensionable age of year t+1
    population_next: np.ndarray  # (2, X) population at 1 January t+1 (bounds survivors' pensioners)


@dataclass
class State:
    """1 January stocks: insured by (sex, age, credits); pensioners by (type, sex, age)."""

    active: dict
    inactive: dict
    count: dict
    amount: dict


@dataclass(frozen=True)
class Static:
    invalidity: np.ndarray  # (2, X) incidence among actives
    density: np.ndarray  # (2, X) probability of a credit in the year
    married: np.ndarray  # (2, X) probability that a death leaves a spouse
    scale: np.ndarray  # (X,) salary scale
    reference_scale: np.ndarray  # (X, C) mean scale of the reference period ending before age x
    first_age: int
    last_age: int  # last insured age before retirement
    n_ages: int


def entitlement(rules: Rules, credits: int, reference: float, minimum: float) -> float:
    """accrual x credits x reference earnings, at most the maximum share, at least the minimum."""
    pension = rules.accrual * credits * reference
    if pension > rules.maximum_share * reference:
        pension = rules.maximum_share * reference
    if pension < minimum:
        pension = minimum
    return pension


def widow_or_widower(rules: Rules, sex: int, age: int, n_ages: int) -> tuple[int, int]:
    """Sex and age on 1 January t+1 of the spouse of a person of ``sex`` who died at ``age``."""
    if sex == MALE:  # the wife is younger by the age difference
        spouse_age = age - rules.spouse_age_difference
    else:
        spouse_age = age + rules.spouse_age_difference
    spouse_age += 1  # a year older when the pension enters the stock
    return 1 - sex, min(max(spouse_age, 0), n_ages - 1)


def reference_year(rules: Rules, static: Static, year: Year, state: State):
    """One year of the scheme. Returns (stocks at 1 January t, flows of t, state at t+1)."""
    X = static.n_ages
    flows = {name: [0.0, 0.0] for name in FLOWS}
    active = defaultdict(float, state.active)
    inactive = defaultdict(float, state.inactive)

    # 1. On 1 January t the actives are brought to the target number of contributors.
    for sex in (FEMALE, MALE):
        for age in range(static.first_age, static.last_age + 1):
            cells = [c for (g, x, c) in set(active) | set(inactive) if g == sex and x == age]
            have = sum(active[sex, age, c] for c in cells)
            idle = sum(inactive[sex, age, c] for c in cells)
            target = year.target[sex, age]
            if have > target:  # the excess becomes inactive, in proportion across credits
                leaving = (have - target) / have
                for c in cells:
                    moved = active[sex, age, c] * leaving
                    active[sex, age, c] -= moved
                    inactive[sex, age, c] += moved
                flows["to_inactive"][sex] += have - target
            elif have < target:  # re-entrants first (limited), then new entrants without credits
                missing = target - have
                back = min(missing, rules.reentry_rate * idle)
                for c in cells:
                    moved = inactive[sex, age, c] * (back / idle) if idle > 0 else 0.0
                    inactive[sex, age, c] -= moved
                    active[sex, age, c] += moved
                new = 0.0 if rules.closed else missing - back
                active[sex, age, 0] += new
                flows["reentrants"][sex] += back
                flows["entrants"][sex] += new

    stocks = {
        "inactive": np.zeros((2, X)),
        "pens_n": np.zeros((3, 2, X)),
        "pens_total": np.zeros((3, 2)),
        "pens_b": np.zeros((3, 2)),
        "earnings": 0.0,
        "wage_bill": 0.0,
        "headcount": np.zeros(2),
    }
    for (g, x, c), n in inactive.items():
        stocks["inactive"][g, x] += n
    for (k, g, x), n in state.count.items():
        stocks["pens_n"][k, g, x] += n
        stocks["pens_total"][k, g] += n
    for (k, g, x), b in state.amount.items():
        stocks["pens_b"][k, g] += b
    for (g, x, c), n in active.items():
        wage = min(year.level[g] * static.scale[x], year.ceiling)
        stocks["earnings"] += n * static.density[g, x] * wage
        stocks["wage_bill"] += n * wage
        stocks["headcount"][g] += n

    expenditure = np.zeros((3, 2))
    awarded_n = np.zeros((3, 2))
    awarded_b = np.zeros((3, 2))
    lumps = np.zeros(2)
    refund_base = 0.0
    count = defaultdict(float)
    amount = defaultdict(float)
    seen = defaultdict(int)  # which rules the case exercised

    claims_n = defaultdict(float)  # survivors' pensions claimed during t, by (sex, age) at t+1
    claims_b = defaultdict(float)

    def survivor_pension(sex, age, deaths, pension):
        """Deaths x married spouses, each with the survivor share of the pension (claims; see 3b)."""
        spouses = deaths * static.married[sex, age]
        if spouses <= 0:
            return
        to_sex, to_age = widow_or_widower(rules, sex, age, X)
        claims_n[to_sex, to_age] += spouses
        claims_b[to_sex, to_age] += spouses * rules.survivor_share * pension

    # 2. Pensioners: deaths during t (paid half a year), survivors' pensions,
    #    the others a year older on 1 January t+1 with indexed pensions.
    for (k, g, x), n in state.count.items():
        if n <= 0:
            continue
        b = state.amount[k, g, x]
        q = year.q[g, x] * (rules.invalidity_mortality if k == INVALIDITY else 1.0)
        q = min(q, 1.0)
        deaths = n * q
        expenditure[k, g] += b * (1 - q) + b * q * 0.5
        flows["deaths_pensioners"][g] += deaths
        if k in (OLD_AGE, INVALIDITY):
            survivor_pension(g, x, deaths, b / n)
            seen["survivors of pensioners"] += 1
        older = min(x + 1, X - 1)
        count[k, g, older] += n - deaths
        amount[k, g, older] += b * (1 - q) * (1 + year.indexation)

    # 3. Insured during t: deaths, invalidity of actives, credits; inactive keep theirs.
    new_active = defaultdict(float)
    new_inactive = defaultdict(float)
    for key in sorted(set(active) | set(inactive)):
        g, x, c = key
        a, i = active[key], inactive[key]
        if a <= 0 and i <= 0:
            continue
        q = year.q[g, x]
        # reference earnings for an award during t: the career up to and including age x
        reference = min(year.level[g] * static.reference_scale[x + 1, c], year.ceiling)
        pension = entitlement(rules, c, reference, year.minimum)
        seen["minimum binds"] += pension == year.minimum and c >= rules.invalidity_vesting
        seen["minimum above maximum"] += year.minimum > rules.maximum_share * reference
        dead_active = a * q
        invalid = (a - dead_active) * static.invalidity[g, x]
        dead_inactive = i * q
        flows["deaths_insured"][g] += dead_active + dead_inactive
        if c >= rules.invalidity_vesting:
            survivor_pension(g, x, dead_active, pension)
            count[INVALIDITY, g, x + 1] += invalid
            amount[INVALIDITY, g, x + 1] += invalid * pension
            awarded_n[INVALIDITY, g] += invalid
            awarded_b[INVALIDITY, g] += invalid * pension
            expenditure[INVALIDITY, g] += 0.5 * invalid * pension
            flows["invalidity_awarded"][g] += invalid
            seen["invalidity awarded"] += invalid > 0
        else:
            flows["invalidity_not_vested"][g] += invalid
            seen["invalidity not vested"] += invalid > 0
        if c >= rules.vesting:
            survivor_pension(g, x, dead_inactive, pension)
            seen["survivors of inactive"] += dead_inactive > 0
        staying = a - dead_active - invalid
        new_active[g, x + 1, c + 1] += staying * static.density[g, x]
        new_active[g, x + 1, c] += staying * (1 - static.density[g, x])
        new_inactive[g, x + 1, c] += i - dead_inactive

    # 3b. Survivors' pensions awarded: survivors are living persons of their sex and age,
    #     not married (no remarriage), so those of (sex, age) on 1 January t+1 (last
    #     year's still alive + this year's awards) are at most the unmarried part of the
    #     population there, P(t+1) x (1 - proportion married); all claims at (sex, age)
    #     are cut by the same factor.
    #     If last year's survivors alone are above it, the excess dies (with the population).
    for g in (FEMALE, MALE):
        for a in range(X):
            alive = count.get((SURVIVORS, g, a), 0.0)
            unmarried = year.population_next[g, a] * (1.0 - static.married[g, a])
            if alive > unmarried:
                amount[SURVIVORS, g, a] *= unmarried / alive
                count[SURVIVORS, g, a] = unmarried
                flows["deaths_pensioners"][g] += alive - unmarried
                seen["survivors above the population die with it"] += 1
    for (g, a), claimed in sorted(claims_n.items()):
        alive = count.get((SURVIVORS, g, a), 0.0)  # step 2 put last year's survivors here
        unmarried = year.population_next[g, a] * (1.0 - static.married[g, a])
        free = unmarried - alive
        if free < 0:
            free = 0.0
        factor = 1.0 if claimed <= free else free / claimed
        seen["survivors bounded by the population"] += factor < 1.0
        n, b = claimed * factor, claims_b[g, a] * factor
        count[SURVIVORS, g, a] += n
        amount[SURVIVORS, g, a] += b
        awarded_n[SURVIVORS, g] += n
        awarded_b[SURVIVORS, g] += b
        expenditure[SURVIVORS, g] += 0.5 * b
        flows["survivor_awards"][g] += n

    # 4. Retirement on 1 January t+1 at the pensionable age of t+1.
    for key in sorted(set(new_active) | set(new_inactive)):
        g, x, c = key
        if x < year.pensionable_age_next[g]:
            continue
        n = new_active.pop(key, 0.0) + new_inactive.pop(key, 0.0)
        if n <= 0:
            continue
        # the career ended before age x; wage level, ceiling and minimum of year t, the year
        # the award is counted in (awards are not indexed in their first year)
        reference = min(year.level[g] * static.reference_scale[x, c], year.ceiling)
        if c >= rules.vesting:
            pension = entitlement(rules, c, reference, year.minimum)
            seen["minimum binds"] += pension == year.minimum
            seen["minimum binds at retirement"] += pension == year.minimum
            seen["minimum above maximum"] += year.minimum > rules.maximum_share * reference
            seen["maximum binds"] += pension == rules.maximum_share * reference
            seen["ceiling binds"] += reference == year.ceiling
            count[OLD_AGE, g, x] += n
            amount[OLD_AGE, g, x] += n * pension
            awarded_n[OLD_AGE, g] += n
            awarded_b[OLD_AGE, g] += n * pension
            flows["retired_vested"][g] += n
        else:
            lumps[g] += n * year.lump_rate * c * reference
            refund_base += n * c * reference
            flows["retired_not_vested"][g] += n
            seen["lump sums"] += c > 0
    year_out = dict(stocks, refund_base=refund_base, expend=expenditure, awards_n=awarded_n,
                    awards_b=awarded_b, lumps=lumps,
                    flows=np.array([[flows[name][g] for name in FLOWS] for g in (FEMALE, MALE)]))
    return year_out, State(dict(new_active), dict(new_inactive), dict(count), dict(amount)), seen


def reference_projection(rules: Rules, static: Static, years: list, state: State):
    """Several years; returns the outputs stacked on a leading year axis and what was exercised."""
    per_year, seen = [], defaultdict(int)
    for year in years:
        out, state, exercised = reference_year(rules, static, year, state)
        per_year.append(out)
        for k, v in exercised.items():
            seen[k] += v
    stacked = {name: np.array([o[name] for o in per_year]) for name in per_year[0]}
    return stacked, seen


# =====================================================================================
# A small hand-made case, and the kernel called on it
# =====================================================================================

X, T, LO, HI = 101, 4, 20, 24
C = HI - LO + 2
# pensionable ages by year (female, male): the female age falls from 25 to 24, the male
# age rises from 24 to 25; the highest is 25, so insured ages are 20..24
PENSIONABLE = np.array([[25, 24], [25, 25], [24, 25], [24, 25]], dtype=np.int64)
RULES = Rules(accrual=0.1, vesting=2, invalidity_vesting=1, survivor_share=0.6,
              spouse_age_difference=3, reentry_rate=0.3, invalidity_mortality=1.7,
              maximum_share=0.35)


def small_case(n_scen: int = 1, seed: int = 5) -> dict:
    """Kernel inputs by name (scenario axis of length ``n_scen`` where it may vary)."""
    rng = np.random.default_rng(seed)
    ages = np.arange(X)
    insured = (ages >= LO) & (ages <= HI)
    A0 = np.zeros((n_scen, 2, X, C))
    for x in range(LO, HI + 1):
        A0[:, :, x, :x - LO + 1] = rng.uniform(5, 40, (n_scen, 2, x - LO + 1))
    A0[:, MALE, 24] = 0.0  # men of 24 are at the pensionable age in year 0
    I0 = A0 * rng.uniform(0.2, 0.8, A0.shape)
    I0[:, MALE, 24, :4] = rng.uniform(1, 5, (n_scen, 4))  # inactive men of 24 retire at 25
    have = A0.sum(-1)
    # targets: a mix of excess, small shortfall (re-entrants only) and large shortfall
    # (re-entrants and new entrants), as a random factor on the actives at age x
    K = np.zeros((n_scen, T, 2, X))
    for t in range(T):
        factor = rng.choice([0.6, 0.9, 1.05, 1.8], size=(n_scen, 2, X))
        if t == 0:  # each kind in year 0 for sure
            factor[:, :, LO:HI + 1] = [[0.6, 1.05, 1.8, 0.9, 1.02], [1.8, 0.6, 1.03, 1.8, 1.0]]
        K[:, t] = np.where(insured, have.mean(0, keepdims=True) * factor, 0.0)
    K *= ages[None, None, None, :] < PENSIONABLE[None, :, :, None]
    q = np.clip(0.004 + 0.02 * np.exp((ages - 60) / 12.0), 0, 0.4)
    q = np.stack([0.8 * q, q])[None, None] * rng.uniform(0.8, 1.6, (n_scen, T, 1, 1))
    q[..., LO:HI + 1] += 0.01  # more deaths among the insured, so every branch has weight
    q[..., X - 1] = 0.6
    N0 = np.zeros((n_scen, 3, 2, X))
    N0[:, OLD_AGE, :, 24:40] = rng.uniform(1, 20, (n_scen, 2, 16))
    N0[:, OLD_AGE, :, 97:] = rng.uniform(1, 5, (n_scen, 2, 4))  # the open group, and spouses past 100
    N0[:, INVALIDITY, :, 21:45] = rng.uniform(1, 10, (n_scen, 2, 24))
    N0[:, SURVIVORS, :, 15:80] = rng.uniform(1, 10, (n_scen, 2, 65))
    B0 = N0 * rng.uniform(150, 450, N0.shape)
    level = np.array([900.0, 1000.0]) * (1.04 ** np.arange(T))[:, None]
    level = level[None] * rng.uniform(0.95, 1.05, (n_scen, 1, 1))
    scale_avg = rng.uniform(0.7, 1.3, (X, C))
    scale_avg[HI:HI + 2, RULES.vesting] = rng.uniform(0.6, 0.7, 2)  # minimum binds at retirement
    par = np.zeros(max(getattr(kern, n) for n in PAR_NAMES if hasattr(kern, n)) + 1)
    for name, value in par_values(RULES).items():
        if hasattr(kern, name):
            par[getattr(kern, name)] = value
    return dict(
        K=K, q=q,
        inv=np.where(insured, rng.uniform(0.02, 0.08, (2, X)), 0.0),
        dens=rng.uniform(0.5, 0.95, (2, X)),
        married=rng.uniform(0.3, 0.8, (2, X)),
        level=level,
        scale=rng.uniform(0.7, 1.3, X),
        scale_avg=scale_avg,
        ceil=np.array([[1150.0, 1180.0, 1300.0, 1250.0]]) * rng.uniform(0.97, 1.03, (n_scen, 1)),
        R=PENSIONABLE,
        minp=np.array([[165.0, 170.0, 168.0, 175.0]]) * rng.uniform(0.97, 1.03, (n_scen, 1)),
        idx=np.array([[0.03, 0.05, -0.01, 0.02]]) + rng.uniform(-0.005, 0.005, (n_scen, 1)),
        lump_rate=np.array([[0.10, 0.12, 0.12, 0.15]]) * rng.uniform(0.9, 1.1, (n_scen, 1)),
        par=par, A0=A0, I0=I0, N0=N0, B0=B0, x_lo=LO, x_hi=HI, pop=population(N0, rng),
    )


def population(N0: np.ndarray, rng) -> np.ndarray:
    """Population (s, T, 2, X) at 1 January: ample (1e4) except at ages 95-100, where it is
    about the survivors' pensions claimed there, so that the bound on survivors' pensioners
    binds at some ages and years (spouses of the oldest pensioners) and not at others."""
    pop = np.full((N0.shape[0], T, 2, X), 1.0e4)
    pop[:, :, :, 95:] = rng.uniform(0.2, 2.0, (N0.shape[0], T, 2, X - 95))
    return pop


PAR_NAMES = ("ACCRUAL", "VESTING", "INV_VESTING", "SURV_SHARE", "DIFF", "REENTRY", "INV_MORT",
             "MAXSHARE", "CLOSED")


def par_values(rules: Rules) -> dict:
    return dict(ACCRUAL=rules.accrual, VESTING=rules.vesting, INV_VESTING=rules.invalidity_vesting,
                SURV_SHARE=rules.survivor_share, DIFF=rules.spouse_age_difference,
                REENTRY=rules.reentry_rate, INV_MORT=rules.invalidity_mortality,
                MAXSHARE=rules.maximum_share, CLOSED=float(rules.closed))


OUTPUT_SHAPES = dict(earnings=(), wage_bill=(), headcount=(2,), refund_base=(), inactive=(2, X), pens_n=(3, 2, X), pens_total=(3, 2), pens_b=(3, 2), expend=(3, 2),
                     lumps=(2,), awards_n=(3, 2), awards_b=(3, 2), flows=(2, len(FLOWS)))


def kernel_arguments() -> list[str]:
    return list(inspect.signature(getattr(kern.project_scheme, "py_func", kern.project_scheme)).parameters)


def run_kernel(inputs: dict, kernel=None) -> dict:
    """Call ``project_scheme`` (or ``kernel``, same arguments, e.g. ``run_scheme``)
    by argument name; returns its outputs by name."""
    n_scen = max(inputs[k].shape[0] for k in ("K", "q", "level", "ceil", "minp", "idx", "lump_rate",
                                              "A0", "N0", "pop"))
    args, outputs = [], {}
    for name in kernel_arguments():
        if name in inputs:
            value = inputs[name]
            args.append(np.ascontiguousarray(value, dtype=value.dtype) if isinstance(value, np.ndarray)
                        else value)
        elif name == "converted":  # no year axis: the rights converted at the freeze year
            outputs[name] = np.zeros((n_scen, 2, 2, X))
            args.append(outputs[name])
        elif name in OUTPUT_SHAPES:
            outputs[name] = np.zeros((n_scen, T, *OUTPUT_SHAPES[name]))
            args.append(outputs[name])
        else:  # pragma: no cover - the kernel's interface changed
            raise AssertionError(f"test does not know the kernel argument {name!r}")
    (kern.project_scheme if kernel is None else kernel)(*args)
    return outputs


def reference_run(inputs: dict, scenario: int = 0, rules: Rules = RULES):
    """The reference on scenario ``scenario`` of the kernel inputs."""
    pick = lambda a: a[scenario] if a.shape[0] > 1 else a[0]  # noqa: E731
    static = Static(invalidity=inputs["inv"], density=inputs["dens"], married=inputs["married"],
                    scale=inputs["scale"], reference_scale=inputs["scale_avg"], first_age=LO,
                    last_age=HI, n_ages=X)
    K, q, level, pop = pick(inputs["K"]), pick(inputs["q"]), pick(inputs["level"]), pick(inputs["pop"])
    ceil, minp, idx, lump = (pick(inputs[k]) for k in ("ceil", "minp", "idx", "lump_rate"))
    R = inputs["R"]
    years = [Year(target=K[t], q=q[t], level=level[t], ceiling=ceil[t], minimum=minp[t],
                  indexation=idx[t], lump_rate=lump[t],
                  pensionable_age_next=tuple(R[min(t + 1, T - 1)]),
                  population_next=pop[min(t + 1, T - 1)]) for t in range(T)]
    A0, I0, N0, B0 = (pick(inputs[k]) for k in ("A0", "I0", "N0", "B0"))
    cells = lambda arr: {k: float(v) for k, v in np.ndenumerate(arr) if v != 0}  # noqa: E731
    state = State(cells(A0), cells(I0), cells(N0), cells(B0))
    return reference_projection(rules, static, years, state)


def assert_outputs_close(got: dict, want: dict, scenario: int = 0):
    for name, value in got.items():
        if name == "converted":  # no conversion in the reference (its check: validation case ndc_conversion)
            assert not np.any(value), "rights converted without par[CONVERT]"
            continue
        expected = want[name]
        scale = max(np.abs(expected).max(), 1.0)
        np.testing.assert_allclose(value[scenario], expected, rtol=1e-12, atol=1e-13 * scale,
                                   err_msg=f"output {name!r}")
