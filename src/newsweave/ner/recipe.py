"""Training recipes for the NER models: the network and the training schedule, as data.

:data:`RECIPES` holds what ``newsweave train ner --lang de|en`` builds (the shipped models);
:func:`config_text` turns a recipe into the spaCy ``config.cfg`` of the pipeline. Two decoders
share one tok2vec design (hash embeddings of NORM/PREFIX/SUFFIX/SHAPE, with ``pieces`` also the
pretrained subword vectors of :mod:`.pieces`, and a maxout window CNN): spaCy's transition-based
``ner`` ("parser") and the BIO tagger of :mod:`.bio` ("bio").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import EvalError


@dataclass(frozen=True)
class Recipe:
    """Everything that decides the trained network, besides the data and the seed."""

    width: int = 128
    depth: int = 4
    window: int = 1
    maxout: int = 3
    rows: tuple[int, int, int, int] = (10000, 3000, 5000, 1000)
    pieces: bool = False
    pooling: str = "mean"  # of a word's pieces: "mean" or "mean+last" (see .pieces)
    hidden: int = 64
    upper: bool = True  # the NER parser's hidden layer (spaCy's use_upper)
    decoder: str = "parser"  # "parser": spaCy's transition-based NER; "bio": a BIO tagger (.bio)
    smoothing: float = 0.0  # label smoothing of the BIO tagger's loss
    bio_hidden: int = 0  # the BIO tagger's maxout layer before its softmax (0: none, linear)
    dropout: float = 0.2
    batch_start: float = 8.0
    batch_stop: float = 64.0
    learn_rate: float = 0.001
    averages: bool = True
    augment: float = 0.0  # mention-replaced copies per epoch, as a share of the training sentences
    max_epochs: int = 30
    patience: int = 6
    max_minutes: float = 90.0
    extra: tuple[str, ...] = field(default_factory=tuple)
    # sets trained on for warm_epochs before the language's own data (e.g. English CoNLL: the
    # piece vectors are cross-lingual, so what it teaches about names carries over)
    warm: tuple[str, ...] = field(default_factory=tuple)
    warm_epochs: int = 0
    # networks trained from seeds seed, seed+1, ... and run as one ensemble (.bio, .train.assemble)
    members: int = 1


# The shipped models (chosen by the measurements in their model cards): width 64 with the piece
# vectors matched width 128 on the German held-out part at a third of the CNN's cost, and the
# BIO decoder matched the transition parser (0.769 vs 0.772 held out, 0.608 vs 0.600 on unseen
# German news) at a fraction of its per-token cost. German warms up on two epochs of English
# CoNLL (held-out F1 0.763 -> 0.769) and also trains on Europarl-NER dev. German is an ensemble
# of two networks (seeds 0 and 1) with a maxout layer before the BIO softmax: one such network
# scores 0.770-0.776 held out (four seeds), a pair of them 0.772-0.7855 (mean 0.779), the pair
# of seeds 0 and 1 0.7855, at twice the CNN's cost.
RECIPES = {
    "de": Recipe(width=64, pieces=True, decoder="bio", bio_hidden=64, batch_start=16, members=2,
                 extra=("europarl_dev",), warm=("conll_en",), warm_epochs=2, max_epochs=14, patience=4),
    "en": Recipe(width=64, pieces=True, decoder="bio", max_epochs=14, patience=3),
}

CONFIG = """
[nlp]
lang = "{lang}"
pipeline = ["tok2vec","{decoder_name}"]
batch_size = 256

[nlp.vectors]
@vectors = "{vectors}"{pooling}

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = {width}
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [{rows}]
include_static_vectors = {pieces}

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = {width}
depth = {depth}
window_size = {window}
maxout_pieces = {maxout}
{decoder}"""

PARSER = """
[components.ner]
factory = "ner"

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = {hidden}
maxout_pieces = 2
use_upper = {upper}

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = {width}
upstream = "*"
"""

BIO = """
[components.bio_ner]
factory = "newsweave_bio_ner"
label_smoothing = {smoothing}

[components.bio_ner.model]
{bio_model}
nO = null

[components.bio_ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = {width}
upstream = "*"
"""
DECODERS = {"parser": ("ner", PARSER), "bio": ("bio_ner", BIO)}


def config_text(lang: str, r: Recipe) -> str:
    if r.decoder not in DECODERS:
        raise EvalError(f"unknown decoder {r.decoder!r}; valid: {', '.join(DECODERS)}")
    name, decoder = DECODERS[r.decoder]
    upper = "true" if r.upper else "false"
    bio_model = (f'@architectures = "newsweave.BioTagger.v1"\nhidden = {r.bio_hidden}' if r.bio_hidden
                 else '@architectures = "spacy.Tagger.v2"\nnormalize = false')
    decoder = decoder.format(width=r.width, hidden=r.hidden, upper=upper, smoothing=r.smoothing, bio_model=bio_model)
    return CONFIG.format(
        decoder_name=name, decoder=decoder,
        lang=lang, width=r.width, depth=r.depth, window=r.window, maxout=r.maxout,
        rows=",".join(str(x) for x in r.rows), pieces="true" if r.pieces else "false",
        vectors="newsweave.PieceVectors.v1" if r.pieces else "spacy.Vectors.v1",
        pooling=f'\npooling = "{r.pooling}"' if r.pieces else "",
    )
