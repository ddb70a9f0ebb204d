"""The chapter's code-drawn figures."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from book.figures import PALETTE, draw_birnn  # noqa: E402


@pytest.mark.parametrize("num_steps", [1, 4, 7])
def test_architecture_figure_has_every_state(num_steps):
    fig = draw_birnn(num_steps)
    texts = [t.get_text() for t in fig.axes[0].texts]
    for t in range(1, num_steps + 1):
        for label in (rf"$\mathbf{{x}}_{t}$", rf"$\mathbf{{o}}_{t}$",
                      rf"$\overrightarrow{{\mathbf{{H}}}}_{t}$",
                      rf"$\overleftarrow{{\mathbf{{H}}}}_{t}$"):
            assert label in texts
    edges = {to_hex(p.get_edgecolor()) for p in fig.axes[0].patches}
    assert {PALETTE["forward"].lower(), PALETTE["backward"].lower()} <= edges
    plt.close(fig)


@pytest.mark.parametrize("bad", [0, -1, 2.5, 50])
def test_architecture_figure_refuses_bad_sizes(bad):
    with pytest.raises(ValueError, match="num_steps"):
        draw_birnn(bad)


def test_palette_has_distinct_direction_colours():
    assert PALETTE["forward"] != PALETTE["backward"]
