"""Code for the chapter on bidirectional recurrent neural networks.

``book.scratch`` is generated from ``chapters/02_from_scratch.ipynb``; the other
modules are written by hand. The names below are the chapter's public API.
"""
from book.data import load_time_machine
from book.scratch import BiRNNScratch, RNNScratch, check_direction_dependence

__all__ = ["RNNScratch", "BiRNNScratch", "check_direction_dependence", "load_time_machine"]
