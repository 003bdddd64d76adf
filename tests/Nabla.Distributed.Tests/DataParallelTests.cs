using System.Globalization;

namespace Nabla.Distributed.Tests;

/// <summary>N ranks under mpirun train what one process trains on the same global batches: the test host trains a
/// network of one of the benchmark shapes on seeded data, alone and as N ranks, and its files (every step's loss, the
/// final weights) are compared.</summary>
[Collection(MpiCollection.Name)]
public sealed class DataParallelTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nabla-dp-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [MpiTheory]
    [InlineData("w1", 2, false)]
    [InlineData("w1", 3, false)]
    [InlineData("w1", 3, false, 31)]
    [InlineData("w5-nobn", 2, false)]
    [InlineData("w5-nobn", 3, false)]
    [InlineData("w5", 2, true)]
    [InlineData("w5", 3, true)]
    public void Float64WeightsAgreeWithOneProcessTo1e12(string shape, int ranks, bool syncBatchNorm, int batch = 30)
    {
        // 24 steps of 30 rows: 15 + 15 on 2 ranks, 10 + 10 + 10 on 3; w5-nobn's dropout masks must be the rows' own,
        // and w5's batch norm must use the whole batch's statistics (synchronised), running statistics included. Batches
        // of 31 split 10 + 10 + 11 and end with a partial one of 24: each rank's gradient weighs b_r/B, not 1/N.
        string[] uneven = batch == 30 ? [] : ["uneven"];
        var alone = Train(shape, "f64", 24, batch, ranks: 1, extra: uneven);
        var together = Train(shape, "f64", 24, batch, ranks, syncBatchNorm, uneven);
        Assert.Equal(alone.Weights.Keys, together.Weights.Keys);
        foreach (var (name, expected) in alone.Weights)
        {
            var actual = together.Weights[name];
            double scale = expected.Max(Math.Abs), error = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(error <= 1e-12 * scale, $"{name}: weights differ by {error:E3} (largest weight {scale:E3}) after {ranks} ranks");
        }

        // The weights moved: a run that trained nothing would agree as well.
        Assert.True(alone.Moved > 1e-3 && together.Moved > 1e-3, $"the weights hardly moved: {alone.Moved}, {together.Moved}");
    }

    [MpiTheory]
    [InlineData("w1", false)]
    [InlineData("w5", true)]
    public void Float32LossesAgreeWithOneProcessAfter50Steps(string shape, bool syncBatchNorm)
    {
        var alone = Train(shape, "f32", 50, 32, ranks: 1);
        var together = Train(shape, "f32", 50, 32, ranks: 2, syncBatchNorm);
        Assert.Equal(50, together.Losses.Count);
        for (int i = 0; i < 50; i++)
            Assert.True(Math.Abs(alone.Losses[i] - together.Losses[i]) <= 1e-5 * Math.Abs(alone.Losses[i]), $"step {i + 1}: loss {together.Losses[i]} on 2 ranks, {alone.Losses[i]} alone");
    }

    [MpiTheory]
    [InlineData("w5", 2)]
    [InlineData("w5", 3)]
    [InlineData("w1", 3)]
    public void TheSameRanksAndSeedTrainTheSameBits(string shape, int ranks)
    {
        var first = TrainFile(shape, "f32", 20, 24, ranks);
        var second = TrainFile(shape, "f32", 20, 24, ranks);
        Assert.Equal(File.ReadAllText(first), File.ReadAllText(second));

        // Every rank ends with rank 0's weights and buffers, bit for bit.
        var weights = Parse(first).Weights;
        for (int r = 1; r < ranks; r++)
        {
            var rank = File.ReadAllLines($"{first}.rank{r}").Skip(2).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => string.Join(' ', p.Skip(1)));
            Assert.Equal(weights.Keys, rank.Keys);
            foreach (var (name, values) in weights)
                Assert.True(string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) == rank[name], $"rank {r}'s {name} differs from rank 0's");
        }

        // And the ranks trained (batch norm normalising each rank's rows by their own statistics in w5).
        var run = Parse(first);
        Assert.True(run.Moved > 1e-3, $"the weights hardly moved: {run.Moved}");
    }

    [MpiTheory]
    [InlineData("w1", "f32", 2)]
    [InlineData("w1", "f64", 3)]
    [InlineData("w5-nobn", "f32", 2)]
    public void Summing_buckets_during_the_backward_pass_changes_no_bit(string shape, string dtype, int ranks)
    {
        var overlapped = TrainFile(shape, dtype, 20, 24, ranks);
        var after = TrainFile(shape, dtype, 20, 24, ranks, extra: ["no-overlap"]);
        Assert.Equal(File.ReadAllText(after), File.ReadAllText(overlapped));

        // The first run did hand its buckets over during the backward passes (every step but the capturing first one),
        // the second none. W1's gradients make two buckets a step: its classifier's and middle layer's, then its first
        // layer's, summed while nothing else is left to compute.
        long buckets = long.Parse(File.ReadAllText($"{overlapped}.buckets"), CultureInfo.InvariantCulture);
        Assert.True(buckets >= (shape == "w1" ? 2 : 1) * 19, $"{buckets} buckets overlapped in 19 replayed steps");
        Assert.Equal("0", File.ReadAllText($"{after}.buckets"));
    }

    private sealed record Run(List<double> Losses, double Moved, Dictionary<string, double[]> Weights);

    [MpiFact]
    public void Batch_norm_synchronised_or_not_trains_differently_on_ranks()
    {
        // Unsynchronised, each rank normalises its own rows: not what one process computes (the test above would fail).
        var alone = Train("w5", "f64", 6, 30, ranks: 1);
        var own = Train("w5", "f64", 6, 30, ranks: 2);
        double difference = alone.Weights.Max(w => w.Value.Zip(own.Weights[w.Key], (a, b) => Math.Abs(a - b)).Max());
        Assert.True(difference > 1e-6, $"per-rank batch norm trained the single process's weights (largest difference {difference:E2})");
    }

    private Run Train(string shape, string dtype, int steps, int batch, int ranks, bool syncBatchNorm = false, string[]? extra = null) => Parse(TrainFile(shape, dtype, steps, batch, ranks, syncBatchNorm, extra));

    private string TrainFile(string shape, string dtype, int steps, int batch, int ranks, bool syncBatchNorm = false, string[]? extra = null)
    {
        string output = Path.Combine(_folder, $"{shape}-{dtype}-{ranks}-{Guid.NewGuid():N}.txt");
        string[] args = [shape, dtype, steps.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture), output, .. syncBatchNorm ? ["sync-bn"] : Array.Empty<string>(), .. extra ?? []];
        var host = MpiRun.Dll("Nabla.Distributed.TestHost");
        var result = ranks == 1 ? MpiRun.Alone(host, args) : MpiRun.Ranks(ranks, host, args);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}: {result.Output} {result.Error}");
        return output;
    }

    private static Run Parse(string path)
    {
        var lines = File.ReadAllLines(path);
        var losses = lines[0].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
        double moved = double.Parse(lines[1], CultureInfo.InvariantCulture);
        var weights = lines.Skip(2).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p.Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        return new Run(losses, moved, weights);
    }
}

/// <summary>The mpirun tests run one at a time: the machine has two cores, and three ranks already oversubscribe it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MpiCollection
{
    public const string Name = "mpirun";
}
