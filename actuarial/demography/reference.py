"""Plain-numpy reference of the projection kernel, vectorised over scenarios.

Small and obviously right; the tests compare ``_kernels.project`` with it and
the benchmarks time both. Same arguments and outputs as the kernel.
"""

from __future__ import annotations

import numpy as np


def project_reference(pop0, S, asfr, srb, mig, timing, step=1.0):
    n = max(a.shape[0] for a in (pop0, S, asfr, srb, mig))
    T, A = S.shape[1], S.shape[3]
    start_frac = 0.5 if timing == 1 else 0.0
    pop = np.empty((n, T, 2, A))
    births = np.empty((n, T, 2))
    deaths = np.empty((n, T, 2, A))
    pop[:, 0] = pop0
    for t in range(T):
        start = pop[:, t] + start_frac * mig[:, t]
        new = np.zeros((n, 2, A))
        new[..., 1:] = start[..., :-1] * S[:, t, :, 1:]
        new[..., -1] = (start[..., -2] + start[..., -1]) * S[:, t, :, -1]
        dead = np.zeros((n, 2, A))
        dead[..., 1:-1] = start[..., :-2] - new[..., 1:-1]
        dead[..., -1] = start[..., -2] + start[..., -1] - new[..., -1]
        end_f = new[:, 0] + (1 - start_frac) * mig[:, t, 0] * (timing == 1)
        b = 0.5 * step * (asfr[:, t] * (start[:, 0] + end_f)).sum(-1)
        b = np.broadcast_to(b, (n,))
        births[:, t, 0] = b / (1 + srb[:, t])
        births[:, t, 1] = b - births[:, t, 0]
        new[..., 0] = births[:, t] * S[:, t, :, 0]
        dead[..., 0] = births[:, t] - new[..., 0]
        deaths[:, t] = dead
        if t + 1 < T:
            pop[:, t + 1] = new + (1 - start_frac) * mig[:, t]
    return pop, births, deaths
