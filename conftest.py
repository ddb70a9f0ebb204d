"""Settings every test process needs, notebooks included (nbval's kernels inherit them).

tqdm reads ``TQDM_*`` variables when it is imported; with ``TQDM_DISABLE=1`` the training
progress bars of the notebooks draw nothing, so re-executed outputs compare equal with the
saved ones (``make execute`` sets the same switch).
"""
import os

os.environ["TQDM_DISABLE"] = "1"
