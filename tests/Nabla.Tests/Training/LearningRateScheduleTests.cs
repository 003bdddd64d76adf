using Nabla.Training;

namespace Nabla.Tests.Training;

public sealed class LearningRateScheduleTests
{
    private static double[] Rates(LearningRateSchedule schedule, int epochs, double initial = 1)
    {
        var rates = new double[epochs];
        double current = initial;
        for (int e = 0; e < epochs; e++) rates[e] = current = schedule.Rate(e, epochs, initial, current, []);
        return rates;
    }

    [Fact]
    public void Each_schedule_follows_its_formula()
    {
        Assert.Equal([1.0, 1, 1], Rates(LearningRateSchedule.Constant, 3));
        var cosine = Rates(LearningRateSchedule.Cosine(), 4);
        for (int e = 0; e < 4; e++) Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * e / 4)), cosine[e], 12);
        var warm = Rates(LearningRateSchedule.Cosine(warmupEpochs: 2), 6);
        Assert.Equal(1.0 / 3, warm[0], 12);
        Assert.Equal(2.0 / 3, warm[1], 12);
        Assert.Equal(1.0, warm[2], 12);                                   // the cosine starts at η₀
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 3 / 4)), warm[5], 12);
        Assert.Equal([1.0, 1, 0.1, 0.1, 0.01], Rates(LearningRateSchedule.Step(2), 5).Select(r => Math.Round(r, 12)));
        Assert.Equal([1.0, 0.5, 0.25], Rates(LearningRateSchedule.Exponential(0.5), 3));
        var cycle = Rates(LearningRateSchedule.OneCycle, 10);
        Assert.Equal(1.0 / 25, cycle[0], 12);
        Assert.Equal(1.0, cycle.Max(), 12);
        Assert.Equal(1e-4, cycle[^1], 12);
        Assert.True(cycle.Take(4).SequenceEqual(cycle.Take(4).Order()), "rising first");
        Assert.True(cycle.Skip(3).SequenceEqual(cycle.Skip(3).OrderDescending()), "then falling");
    }

    [Fact]
    public void Reduce_on_plateau_waits_for_its_patience_after_the_best_epoch_and_after_each_reduction()
    {
        var schedule = LearningRateSchedule.ReduceOnPlateau(factor: 0.5, patience: 2);
        double[] validationLosses = [1.0, 0.8, 0.9, 0.85, 0.95, 0.7, 0.75, 0.8, 0.9];
        var history = new List<EpochResult>();
        var rates = new List<double>();
        double rate = 1;
        foreach (var loss in validationLosses)
        {
            history.Add(new EpochResult(history.Count + 1, 1.0, 0.5, loss, 0.5, 1));
            rate = schedule.Rate(history.Count, 20, 1, rate, history);
            rates.Add(rate);
        }

        // Best at epoch 2 (0.8); epochs 3 and 4 do not improve → halve; 5 neither, but the patience restarts; epoch 6
        // improves (0.7); 7 and 8 do not → halve again.
        Assert.Equal([1.0, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25], rates);
    }
}
