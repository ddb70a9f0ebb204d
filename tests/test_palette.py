"""The figure palette stays readable for colour-blind readers.

Every colour is from the Okabe-Ito palette (designed to stay distinguishable under the
common colour-vision deficiencies) or a grey, and the two directions' colours, the pair
every figure depends on, stay far apart when protanopia, deuteranopia and tritanopia are
simulated (Machado, Oliveira and Fernandes 2009, full severity).
"""
import numpy as np
import pytest

from book.figures import PALETTE

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
             "#CC79A7"}
# Machado et al. (2009) simulation matrices, severity 1.0, for linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def _linear(hex_colour):
    c = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb):
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(linear_rgb, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _is_grey(hex_colour):
    return len({hex_colour[1:3], hex_colour[3:5], hex_colour[5:7]}) == 1


def test_every_colour_is_okabe_ito_or_grey():
    for name, colour in PALETTE.items():
        assert colour.upper() in OKABE_ITO or _is_grey(colour.upper()), \
            f"PALETTE[{name!r}] = {colour} is neither an Okabe-Ito colour nor a grey"


@pytest.mark.parametrize("deficiency", sorted(CVD))
def test_directions_stay_distinct_under_colour_blindness(deficiency):
    matrix = np.array(CVD[deficiency])
    forward, backward = (_lab(matrix @ _linear(PALETTE[k])) for k in ("forward", "backward"))
    delta_e = float(np.linalg.norm(forward - backward))
    # CIE76 distance; about 2.3 is just noticeable, above 20 reads as clearly different.
    assert delta_e > 20, f"forward and backward look alike under {deficiency}: dE = {delta_e:.1f}"


def test_the_check_can_fail():
    """Red and green, the classic confusion pair, must fail the deuteranopia check."""
    matrix = np.array(CVD["deuteranopia"])
    red, green = (_lab(matrix @ _linear(c)) for c in ("#D62728", "#2CA02C"))
    assert np.linalg.norm(red - green) < 20
