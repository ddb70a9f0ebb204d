"""The notebooks' saved outputs hold on other CPUs, not only on the one that saved them.

nbval compares every re-executed output with the committed one. A processor without the
same vector units runs PyTorch's other CPU kernels, and a machine with fewer cores other
thread counts; both change results in the last bits. Each case re-runs notebooks under
strict nbval with one such setting forced:

* ``ATEN_CPU_CAPABILITY=default``: PyTorch's generic kernels, no vector instructions;
* ``ATEN_CPU_CAPABILITY=avx2``: the AVX2 kernels (on a CPU without AVX2 PyTorch falls back
  to the best it has);
* ``OMP_NUM_THREADS=1``: one thread everywhere.

The notebooks chosen are those whose printed figures depend on training or on float
rounding: the shipped model's probabilities (1), the parity bound (2), what padding
corrupts (3), the trained models and their example table (5, the slowest), the polysemy
cosines (6), the HMM's posteriors (9) and the trained taggers (10). (All notebooks passed
under these settings when this list was chosen.)
"""

import os
import subprocess
import sys

import pytest
from paths import ROOT

NOTEBOOKS = [
    "chapters/01_looking_both_ways.ipynb",
    "chapters/02_from_scratch.ipynb",
    "chapters/03_concise.ipynb",
    "chapters/05_context_in_action.ipynb",
    "chapters/06_summary_exercises.ipynb",
    "chapters/09_forward_backward.ipynb",
    "chapters/10_using_birnns.ipynb",
]
SETTINGS = {
    "generic-kernels": {"ATEN_CPU_CAPABILITY": "default"},
    "avx2-kernels": {"ATEN_CPU_CAPABILITY": "avx2"},
    "one-thread": {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
}


@pytest.mark.notebooks
@pytest.mark.parametrize("setting", SETTINGS)
def test_notebooks_reproduce_their_outputs(setting):
    env = {**os.environ, **SETTINGS[setting], "TQDM_DISABLE": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-o",
            "addopts=",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            "tests/sanitize.cfg",
            *NOTEBOOKS,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"with {SETTINGS[setting]} the notebooks' outputs differ:\n{result.stdout[-4000:]}"
    )
