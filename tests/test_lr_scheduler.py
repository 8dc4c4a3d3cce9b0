"""Learning-rate schedules: PyTorch's sequences (by hand and against torch.optim.lr_scheduler),
chaining, closed forms, state dicts, warnings and errors."""

import math
import warnings

import pytest

import minigrad
from minigrad import nn, optim
from minigrad.optim import lr_scheduler

EPOCHS = 12

SCHEDULES = {
    "StepLR": lambda s, o: s.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.1),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=4, eta_min=0.01),
    "LambdaLR": lambda s, o: s.LambdaLR(o, lr_lambda=lambda epoch: 1 / (epoch + 1)),
    "LambdaLR per group": lambda s, o: s.LambdaLR(o, lr_lambda=[lambda e: 0.9**e, lambda e: 1 + e]),
    "LinearLR": lambda s, o: s.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=6),
    "OneCycleLR": lambda s, o: s.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=EPOCHS + 1),
    "OneCycleLR linear three-phase": lambda s, o: s.OneCycleLR(
        o, max_lr=1.0, epochs=3, steps_per_epoch=5, anneal_strategy="linear", three_phase=True
    ),
    "SequentialLR": lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, start_factor=0.1, total_iters=3), s.ExponentialLR(o, gamma=0.8)], milestones=[4]
    ),
    "two chained": lambda s, o: [s.StepLR(o, step_size=2, gamma=0.5), s.ExponentialLR(o, gamma=0.9)],
}


def groups(lib, make_param, optimizer="SGD"):
    first, second = make_param(), make_param()
    kwargs = {"momentum": 0.9} if optimizer == "SGD" else {}
    return getattr(lib.optim, optimizer)(
        [{"params": [first]}, {"params": [second], "lr": 0.5}], lr=0.1, **kwargs
    )


def run(lib, make_param, name, epochs=EPOCHS, optimizer="SGD"):
    """The rate and the momentum (or beta1) of both groups before each epoch's optimizer step, flat."""
    opt = groups(lib, make_param, optimizer)
    schedulers = SCHEDULES[name](lib.optim.lr_scheduler, opt)
    schedulers = schedulers if isinstance(schedulers, list) else [schedulers]
    seen = []
    for _ in range(epochs):
        seen += [
            value for g in opt.param_groups for value in (g["lr"], g.get("momentum", g.get("betas", [0])[0]))
        ]
        opt.step()
        for scheduler in schedulers:
            scheduler.step()
    return seen, schedulers[-1]


def minigrad_param():
    return nn.Parameter(minigrad.zeros(1))


def test_step_lr_by_hand():
    seen, _ = run(minigrad, minigrad_param, "StepLR", epochs=7)
    assert seen[::4] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])


def test_multistep_lr_applies_a_repeated_milestone_twice():
    seen, _ = run(minigrad, minigrad_param, "MultiStepLR", epochs=10)
    expected = [0.1] * 2 + [0.01] * 3 + [0.0001] * 4 + [0.00001]
    assert seen[::4] == pytest.approx(expected)


def test_cosine_annealing_follows_the_closed_form_over_its_first_half_period():
    seen, _ = run(minigrad, minigrad_param, "CosineAnnealingLR", epochs=5)
    expected = [0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(5)]
    assert seen[::4] == pytest.approx(expected, rel=1e-12)


def test_one_cycle_warms_up_to_max_lr_then_anneals_below_the_start():
    seen, _ = run(minigrad, minigrad_param, "OneCycleLR", epochs=EPOCHS + 1)
    rates = seen[::4]
    assert rates[0] == pytest.approx(1.0 / 25)
    assert max(rates) == pytest.approx(1.0, rel=0.05)
    assert rates[-1] == pytest.approx(1.0 / 25 / 1e4)
    momenta = seen[1::4]
    assert momenta[0] == pytest.approx(0.95) and min(momenta) == pytest.approx(0.85, abs=0.01)


def test_sequential_lr_switches_at_the_milestone_and_restarts_from_the_base_rate():
    seen, _ = run(minigrad, minigrad_param, "SequentialLR", epochs=7)
    rates = seen[::4]
    assert rates[:4] == pytest.approx([0.01, 0.04, 0.07, 0.1])
    assert rates[4:] == pytest.approx([0.1, 0.08, 0.064])


@pytest.mark.torch
@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("name", SCHEDULES)
def test_schedules_match_torch(torch, name, optimizer):
    steps = 15 if "three-phase" in name else EPOCHS
    ours, mine = run(minigrad, minigrad_param, name, steps, optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, its = run(torch, lambda: torch.nn.Parameter(torch.zeros(1)), name, steps, optimizer)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)
    assert mine.get_last_lr() == pytest.approx(its.get_last_lr(), rel=1e-12)
    assert mine.last_epoch == its.last_epoch


@pytest.mark.torch
def test_reduce_lr_on_plateau_matches_torch(torch):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5, 0.6, 0.6, 0.6]

    def rates(lib, param, **kwargs):
        opt = lib.optim.SGD([param], lr=1.0)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        out = []
        for value in metrics:
            opt.step()
            scheduler.step(value)
            out.append(scheduler.get_last_lr()[0])
        return out

    for kwargs in (
        {"patience": 1},
        {"patience": 0, "cooldown": 2, "factor": 0.5, "min_lr": 0.2},
        {"mode": "max", "patience": 1, "threshold": 0.05, "threshold_mode": "abs"},
    ):
        assert rates(minigrad, minigrad_param(), **kwargs) == pytest.approx(
            rates(torch, torch.nn.Parameter(torch.zeros(1)), **kwargs)
        ), kwargs


def test_reduce_lr_on_plateau_by_hand():
    """The first metric sets the best; two bad epochs (more than patience=1) reduce the rate, and
    the count starts again."""
    opt = optim.SGD([minigrad_param()], lr=1.0)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    rates = []
    for _ in range(5):
        scheduler.step(1.0)
        rates.append(scheduler.get_last_lr()[0])
    assert rates == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01])


def test_step_with_an_epoch_uses_the_closed_form_and_warns():
    opt = optim.SGD([minigrad_param()], lr=1.0)
    scheduler = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(5)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.25)


def test_stepping_the_schedule_before_the_optimizer_warns():
    opt = optim.SGD([minigrad_param()], lr=1.0)
    scheduler = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()


def test_state_dict_round_trip_continues_the_schedule():
    opt = optim.SGD([minigrad_param()], lr=1.0)
    scheduler = lr_scheduler.CosineAnnealingLR(opt, T_max=5)
    for _ in range(3):
        opt.step()
        scheduler.step()
    saved = scheduler.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 3
    fresh_opt = optim.SGD([minigrad_param()], lr=1.0)
    fresh = lr_scheduler.CosineAnnealingLR(fresh_opt, T_max=5)
    fresh.load_state_dict(saved)
    fresh_opt.load_state_dict(opt.state_dict())
    for schedule, optimizer in ((scheduler, opt), (fresh, fresh_opt)):
        optimizer.step()
        schedule.step()
    assert fresh.get_last_lr() == scheduler.get_last_lr()


def test_lambda_lr_saves_callable_objects_but_not_functions():
    class Warmup:
        def __init__(self):
            self.length = 3

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.length)

    opt = optim.SGD([{"params": [minigrad_param()]}, {"params": [minigrad_param()]}], lr=1.0)
    warmup = Warmup()
    scheduler = lr_scheduler.LambdaLR(opt, [warmup, lambda epoch: 1.0])
    assert scheduler.state_dict()["lr_lambdas"] == [{"length": 3}, None]
    other = Warmup()
    other.length = 10
    restored = lr_scheduler.LambdaLR(opt, [other, lambda epoch: 1.0])
    restored.load_state_dict(scheduler.state_dict())
    assert other.length == 3


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda o: lr_scheduler.StepLR("sgd", 2), TypeError, "str is not an Optimizer"),
        (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative factor"),
        (lambda o: lr_scheduler.LinearLR(o, end_factor=2), ValueError, "Ending multiplicative factor"),
        (lambda o: lr_scheduler.LambdaLR(o, [lambda e: 1, lambda e: 1]), ValueError, "Expected 1 lr_lambdas"),
        (lambda o: lr_scheduler.OneCycleLR(o, 1.0), ValueError, "You must define either total_steps"),
        (
            lambda o: lr_scheduler.OneCycleLR(o, 1.0, total_steps=0),
            ValueError,
            "positive integer total_steps",
        ),
        (lambda o: lr_scheduler.OneCycleLR(o, 1.0, 5, pct_start=2.0), ValueError, "pct_start"),
        (lambda o: lr_scheduler.OneCycleLR(o, [1.0, 2.0], 5), ValueError, "max_lr must have the same length"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up is unknown!"),
        (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(o, 2)], [1]), ValueError, "one more"),
        (lambda o: lr_scheduler.StepLR(o, 2, last_epoch=3), KeyError, "initial_lr"),
    ],
)
def test_errors(make, error, message):
    opt = optim.SGD([minigrad_param()], lr=1.0)
    with pytest.raises(error, match=message):
        make(opt)


def test_one_cycle_refuses_to_step_past_its_end():
    opt = optim.SGD([minigrad_param()], lr=1.0, momentum=0.9)
    scheduler = lr_scheduler.OneCycleLR(opt, 1.0, total_steps=2)
    opt.step()
    scheduler.step()
    scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 3 times. The specified number of total steps is 2"):
        scheduler.step()


def test_one_cycle_needs_a_momentum_to_cycle():
    opt = optim.Adagrad([minigrad_param()])
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.OneCycleLR(opt, 1.0, total_steps=5)
