using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Optim;

/// <summary>Optimisers and schedules refuse hyper-parameters that are not finite or out of range, when they are given.</summary>
public sealed class OptimizerGuardTests
{
    public static TheoryData<string> Optimizers => ["sgd", "adam", "adamw", "rmsprop", "adagrad"];

    public static TheoryData<double> BadRates => [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.1, 0];

    private static Optimizer Make(string name, IEnumerable<Tensor> parameters, double rate) => name switch
    {
        "sgd" => new Sgd(parameters, rate),
        "adam" => new Adam(parameters, rate),
        "adamw" => new AdamW(parameters, rate),
        "rmsprop" => new RmsProp(parameters, rate),
        "adagrad" => new Adagrad(parameters, rate),
        _ => throw new ArgumentException(name),
    };

    private static Tensor[] Weights() => [Tensor.Zeros([2, 2])];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void A_learning_rate_that_is_not_finite_and_positive_is_refused_by_the_constructor_and_the_setter(string name)
    {
        foreach (double rate in BadRates)
        {
            string shown = rate.ToString(System.Globalization.CultureInfo.CurrentCulture);
            Guard.Throws<ArgumentOutOfRangeException>(() => Make(name, Weights(), rate), "learning rate", shown);
            var optimizer = Make(name, Weights(), 0.01);
            Guard.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = rate, "learning rate", shown);
            Assert.Equal(0.01, optimizer.LearningRate);
        }
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void An_optimiser_needs_parameters_each_given_once(string name)
    {
        Guard.Throws<ArgumentException>(() => Make(name, [], 0.01), "no parameters");
        Guard.Throws<ArgumentException>(() => Make(name, [Tensor.Zeros([1]), null!], 0.01), "parameter 1", "null");
        var w = Tensor.Zeros([3]);
        Guard.Throws<ArgumentException>(() => Make(name, [w, Tensor.Zeros([1]), w], 0.01), "parameter 2", "parameter 0");
        Guard.Throws<ArgumentNullException>(() => Make(name, null!, 0.01));
    }

    [Fact]
    public void Momentum_betas_and_the_other_constants_must_be_in_range()
    {
        foreach (double momentum in new[] { -0.1, 1, 1.5, double.NaN })
            Guard.Throws<ArgumentOutOfRangeException>(() => new Sgd(Weights(), 0.1, momentum), "momentum", "[0, 1)");
        Guard.Throws<ArgumentException>(() => new Sgd(Weights(), 0.1, 0, nesterov: true), "Nesterov");
        foreach (double decay in new[] { -1, double.NaN, double.PositiveInfinity })
        {
            Guard.Throws<ArgumentOutOfRangeException>(() => new Sgd(Weights(), 0.1, weightDecay: decay), "weight decay");
            Guard.Throws<ArgumentOutOfRangeException>(() => new Adam(Weights(), weightDecay: decay), "weight decay");
            Guard.Throws<ArgumentOutOfRangeException>(() => new RmsProp(Weights(), weightDecay: decay), "weight decay");
            Guard.Throws<ArgumentOutOfRangeException>(() => new Adagrad(Weights(), weightDecay: decay), "weight decay");
        }

        foreach (double beta in new[] { -0.1, 1, double.NaN })
        {
            Guard.Throws<ArgumentOutOfRangeException>(() => new Adam(Weights(), beta1: beta), "beta1", "[0, 1)");
            Guard.Throws<ArgumentOutOfRangeException>(() => new AdamW(Weights(), beta2: beta), "beta2", "[0, 1)");
            Guard.Throws<ArgumentOutOfRangeException>(() => new RmsProp(Weights(), alpha: beta), "alpha", "[0, 1)");
        }

        foreach (double epsilon in new[] { 0, -1e-8, double.NaN, double.PositiveInfinity })
        {
            Guard.Throws<ArgumentOutOfRangeException>(() => new Adam(Weights(), epsilon: epsilon), "epsilon");
            Guard.Throws<ArgumentOutOfRangeException>(() => new RmsProp(Weights(), epsilon: epsilon), "epsilon");
            Guard.Throws<ArgumentOutOfRangeException>(() => new Adagrad(Weights(), epsilon: epsilon), "epsilon");
        }
    }

    [Fact]
    public void Clipping_limits_must_be_finite_and_positive()
    {
        foreach (double limit in new[] { 0, -1, double.NaN, double.PositiveInfinity })
        {
            Guard.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByNorm(Weights(), limit));
            Guard.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(Weights(), limit));
        }
    }

    [Fact]
    public void Schedules_refuse_factors_and_periods_out_of_range()
    {
        Guard.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(-1));
        Guard.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(0));
        foreach (double gamma in new[] { 0, -0.5, 1.5, double.NaN, double.PositiveInfinity })
        {
            Guard.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(2, gamma), "(0, 1]");
            Guard.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Exponential(gamma), "(0, 1]");
        }

        foreach (double factor in new[] { 0, 1, double.NaN })
            Guard.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.ReduceOnPlateau(factor), "(0, 1)");
        Guard.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.ReduceOnPlateau(0.5, 0));
    }

    [Fact]
    public void Every_schedule_refuses_an_initial_rate_that_is_not_finite_and_positive()
    {
        LearningRateSchedule[] schedules = [LearningRateSchedule.Constant, LearningRateSchedule.Cosine(2), LearningRateSchedule.Step(2), LearningRateSchedule.OneCycle, LearningRateSchedule.ReduceOnPlateau()];
        foreach (var schedule in schedules)
        {
            Guard.Throws<ArgumentOutOfRangeException>(() => schedule.Rate(0, 10, double.NaN, 0.1, []), schedule.Name, "initial");
            Guard.Throws<ArgumentOutOfRangeException>(() => schedule.Rate(0, 10, -1, 0.1, []), schedule.Name, "initial");
            Guard.Throws<ArgumentOutOfRangeException>(() => schedule.Rate(10, 10, 0.1, 0.1, []), schedule.Name, "epoch 10");
            Guard.Throws<ArgumentOutOfRangeException>(() => schedule.Rate(-1, 10, 0.1, 0.1, []), schedule.Name, "epoch -1");
        }

        // A decay that underflows to 0 is refused where it happens, naming the epoch.
        Guard.Throws<InvalidOperationException>(() => LearningRateSchedule.Exponential(1e-200).Rate(2, 10, 0.1, 0.1, []), "epoch 2", "0");
    }
}
