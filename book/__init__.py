"""Code for the chapter on bidirectional recurrent neural networks.

The names below are the chapter's public API. The modules, by role:

Layers
    scratch     RNNScratch, BiRNNScratch, assert_direction_dependence (generated from
                chapters/02_from_scratch.ipynb by ``make export``; edit the notebook)
    fast        BiRNNFast: the scratch layer with the input products hoisted out of the loop
    shapes      validate_* helpers that raise ValueError naming expected and received shapes
Data and training
    data        The Time Machine, shipped with the package and sha256-checked on load
    text        Vocab, windows, batches and masking; TokenRNN, the chapter's one GRU model
    train       train (the one training loop, with a tqdm bar) and seeded (isolated RNG)
    polysemy    the generated "bank" corpus and the encoder of the polysemy exercise
    pretrained  the shipped fill-in and language models (book/models, trained once by
                ``make train-models``), their recipe, held-out questions and count table
Analysis and pictures
    dependence  Jacobian-norm maps: which inputs each state depends on
    cost        operation counts, saved memory, timings, the slow in-place pattern
    figures     the architecture and stacking drawings, h_n's layout, padding against
                packing, dependence maps, learning curves, the palette
    hmm         a small hidden Markov model: forward-backward against enumeration
Uses
    tagging     a packed bidirectional tagger and a loss masked over padding
    seq2seq     what a decoder reads from a bidirectional encoder (final states, attention)
Interactive
    explorer    the shape explorer widget (explorer.js and explorer.css are its view)
    fillin      the live fill-in-the-blank demo: both trained models in a widget that runs
                them in JavaScript (fillin.js, fillin.css), and its PyTorch reference
    exercises   check_<name>(answer) self-checks for the exercises
Words
    i18n        the learner's language ("en"/"zh") and tr(), every word a reader sees at
                run time from the catalog (book/locale, compiled by ``make translations``)
"""

from book.data import load_time_machine
from book.scratch import BiRNNScratch, RNNScratch, assert_direction_dependence

__all__ = ["RNNScratch", "BiRNNScratch", "assert_direction_dependence", "load_time_machine"]
