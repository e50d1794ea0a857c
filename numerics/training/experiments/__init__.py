"""The sample-size experiments, by name.

Each experiment is an :class:`rankstrat.numerics.training.experiments.definition.Experiment`:
a grid of independent runs (group x sample size x seed), a batched training
function and a summary that puts the measured transition next to the
predicted one from :mod:`rankstrat.theory`.
"""

from __future__ import annotations

from rankstrat.theory.errors import InputError


def _registry() -> dict:
    from rankstrat.numerics.training.experiments.convolution import ConvolutionVsDense
    from rankstrat.numerics.training.experiments.imbalance import Imbalance
    from rankstrat.numerics.training.experiments.init_scale import InitScale
    from rankstrat.numerics.training.experiments.matrix_factorization import (
        MatrixFactorization,
    )
    from rankstrat.numerics.training.experiments.single_neuron import SingleNeuron
    from rankstrat.numerics.training.experiments.width import Width

    experiments = [MatrixFactorization(), ConvolutionVsDense(), SingleNeuron(), Imbalance(), InitScale(), Width()]
    return {exp.name: exp for exp in experiments}


def experiment_names() -> list:
    """Names of the experiments, in presentation order.

    Examples
    --------
    >>> experiment_names()[0]
    'mf4x4'
    """
    return list(_registry())


def get_experiment(name: str):
    """The experiment called ``name``.

    Raises
    ------
    InputError
        For an unknown name, listing the known ones.

    Examples
    --------
    >>> get_experiment("mf4x4").title
    'Matrix factorization 4x4: recovery rate vs observed entries'
    >>> get_experiment("mnist")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: experiment: unknown experiment 'mnist'; expected one of mf4x4, cnn, ...
    """
    registry = _registry()
    if name not in registry:
        raise InputError(f"experiment: unknown experiment {name!r}; expected one of {', '.join(registry)}")
    return registry[name]
