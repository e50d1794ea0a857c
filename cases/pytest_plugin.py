"""pytest plugin of rankstrat, registered by the ``pytest11`` entry point ``rankstrat``.

Fixtures:

- ``rank_engine``: the rank engine and the assertion helpers in one object
  (``rank_engine.model_rank(spec)``, ``rank_engine.stability(spec, target, inputs)``,
  ``rank_engine.assert_model_rank(...)``...);
- ``rankstrat_claims``: the claims of the catalogue (default sizes).

Options (nothing changes without them; importing this plugin loads no torch):

- ``--rankstrat-catalogue``: collect every claim of the catalogue as a test
  ``rankstrat-catalogue::ID``, so a CI can pin the catalogue
  (``pytest --rankstrat-catalogue -m rankstrat_claim`` runs only those);
- ``--rankstrat-full``: include the large sizes;
- ``--rankstrat-topic=mf,deep``: only these topics.
"""

from __future__ import annotations

import pytest

MARKER = "rankstrat_claim"


def pytest_addoption(parser) -> None:
    """Register the catalogue options.

    Examples
    --------
    >>> import argparse
    >>> class Group:
    ...     names = []
    ...     def addoption(self, name, **kwargs): self.names.append(name)
    >>> class Parser:
    ...     group = Group()
    ...     def getgroup(self, name, description=""): return self.group
    >>> pytest_addoption(Parser()); Parser.group.names
    ['--rankstrat-catalogue', '--rankstrat-full', '--rankstrat-topic']
    """
    group = parser.getgroup("rankstrat", "rankstrat claims catalogue")
    group.addoption("--rankstrat-catalogue", action="store_true", default=False,
                    help="collect the rankstrat claims catalogue as tests")
    group.addoption("--rankstrat-full", action="store_true", default=False,
                    help="with --rankstrat-catalogue: include the large sizes")
    group.addoption("--rankstrat-topic", default=None, metavar="TOPICS",
                    help="with --rankstrat-catalogue: comma-separated topics")


def pytest_configure(config) -> None:
    """Register the marker of catalogue tests.

    Examples
    --------
    >>> class Config:
    ...     lines = []
    ...     def addinivalue_line(self, name, line): self.lines.append((name, line))
    >>> config = Config(); pytest_configure(config); config.lines[0][1].split(":")[0]
    'rankstrat_claim'
    """
    config.addinivalue_line("markers", f"{MARKER}: a claim of the rankstrat catalogue (--rankstrat-catalogue)")


class ClaimFailed(Exception):
    """A catalogue claim did not pass; carries its result.

    Examples
    --------
    >>> from rankstrat.cases.claim import ClaimResult
    >>> ClaimFailed(ClaimResult("x.y", "", "", 1, 2, "", False, 0.0), None).result.measured
    2
    """

    def __init__(self, result, required):
        super().__init__(result.id)
        self.result, self.required = result, required


class ClaimItem(pytest.Item):
    """One claim of the catalogue as a test (``rankstrat-catalogue::ID``); it runs the
    claim with :func:`rankstrat.cases.claim.run_claim` and fails with
    :func:`rankstrat.cases.assertions.format_claim_failure`. Exercised by
    ``tests/test_pytest_plugin.py`` (it needs a pytest session)."""

    def __init__(self, *, claim, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.add_marker(MARKER)

    def runtest(self) -> None:
        """Run the claim; raise :class:`ClaimFailed` when it does not pass."""
        from rankstrat.cases.claim import run_claim

        result = run_claim(self.claim)
        if not result.passed:
            raise ClaimFailed(result, self.claim.required_certainty)

    def repr_failure(self, excinfo, style=None):
        """The claim's failure message: predicted, measured, certainty, detail."""
        if isinstance(excinfo.value, ClaimFailed):
            from rankstrat.cases.assertions import format_claim_failure

            return format_claim_failure(excinfo.value.result, excinfo.value.required)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        """Where the test comes from, for pytest's report."""
        return self.path, None, f"rankstrat claim {self.claim.id}"


class CatalogueCollector(pytest.Collector):
    """The catalogue as a collector of :class:`ClaimItem` (node id ``rankstrat-catalogue``).
    Exercised by ``tests/test_pytest_plugin.py`` (it needs a pytest session)."""

    def __init__(self, *, claims, **kwargs):
        super().__init__(**kwargs)
        self.claims = claims

    def collect(self):
        """One :class:`ClaimItem` per claim."""
        for claim in self.claims:
            yield ClaimItem.from_parent(self, name=claim.id, claim=claim)


def catalogue_claims(full: bool = False, topics: str | None = None) -> list:
    """The claims to collect (import of the catalogue happens here, only when asked).

    Examples
    --------
    >>> [c.topic for c in catalogue_claims(topics="single_neuron")][:1]
    ['single_neuron']
    """
    from rankstrat.cases import catalogue

    return catalogue.select_claims(catalogue.all_claims(full=full), topic=topics)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items) -> None:
    """Add the catalogue to the collected tests when ``--rankstrat-catalogue`` is given
    (first, so ``-k`` and ``-m`` select among the claims too).

    Examples
    --------
    >>> class Config:
    ...     def getoption(self, name): return False
    >>> items = []; pytest_collection_modifyitems(None, Config(), items); items
    []
    """
    if not config.getoption("rankstrat_catalogue"):
        return
    claims = catalogue_claims(config.getoption("rankstrat_full"), config.getoption("rankstrat_topic"))
    collector = CatalogueCollector.from_parent(session, name="rankstrat-catalogue", nodeid="rankstrat-catalogue",
                                               claims=claims)
    items.extend(collector.collect())


class RankEngine:
    """The rank engine and assertion helpers, for tests (the ``rank_engine`` fixture).

    Examples
    --------
    >>> engine = RankEngine()
    >>> engine.model_rank("twolayer:d=2,k=1").rank
    3
    """

    @staticmethod
    def spec(text):
        """Parse a spec string or model file (:func:`rankstrat.theory.spec.parse_spec`); a relative
        model-file path is looked up beside the calling test file first
        (:func:`rankstrat.cases.assertions.beside_caller`).

        Examples
        --------
        >>> RankEngine.spec("mf:n1=2,k=1,n2=2")
        Spec('mf:n1=2,k=1,n2=2,depth=2')
        """
        from rankstrat.cases.assertions import beside_caller
        from rankstrat.theory.spec import parse_spec

        return parse_spec(beside_caller(text))

    def model_rank(self, spec, **options):
        """:func:`rankstrat.numerics.rank.engine.model_rank` on a spec string or object.

        Examples
        --------
        >>> RankEngine().model_rank("mf:n1=2,k=1,n2=2", certify=False).rank
        3
        """
        from rankstrat.numerics.rank.engine import model_rank

        return model_rank(self.spec(spec), **options)

    def jacobian_rank(self, spec, point: dict, X, **options):
        """:func:`rankstrat.numerics.rank.engine.jacobian_rank`.

        Examples
        --------
        >>> import numpy as np
        >>> RankEngine().jacobian_rank("twolayer:d=1,k=1", {"W": [[1.0]], "a": [1.0]}, np.array([[0.5]])).rank
        1
        """
        from rankstrat.numerics.rank.engine import jacobian_rank

        return jacobian_rank(self.spec(spec), point, X, **options)

    def stability(self, spec, target="random", inputs="random:100", seed: int = 0):
        """:func:`rankstrat.numerics.rank.stability.linear_stability` with ``--target`` / ``--inputs`` values.

        Examples
        --------
        >>> RankEngine().stability("mf:n1=2,k=1,n2=2", "rank=1", "random:3").stable
        True
        """
        from rankstrat.numerics.model.input_sets import resolve_inputs
        from rankstrat.numerics.model.targets import resolve_target
        from rankstrat.numerics.rank.stability import linear_stability

        model = self.spec(spec)
        X = resolve_inputs(model, inputs, seed).X if isinstance(inputs, str) else inputs
        return linear_stability(model, resolve_target(model, target, seed).point, X, seed=seed)

    def __getattr__(self, name):
        if name.startswith("assert_"):
            from rankstrat.cases import assertions

            return getattr(assertions, name)
        raise AttributeError(name)


@pytest.fixture
def rank_engine() -> RankEngine:
    """The rank engine and assertion helpers, as a :class:`RankEngine`::

        def test_rank(rank_engine):
            rank_engine.assert_model_rank("twolayer:d=3,k=2", 8)
    """
    return RankEngine()


@pytest.fixture
def rankstrat_claims() -> list:
    """The claims of the catalogue (default sizes), from :func:`catalogue_claims`::

        def test_ids(rankstrat_claims):
            assert any(c.id == "mf.target-rank-1" for c in rankstrat_claims)
    """
    return catalogue_claims()
