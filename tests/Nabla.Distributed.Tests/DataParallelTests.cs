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
    [InlineData("w1", 2)]
    [InlineData("w1", 3)]
    [InlineData("w5-nobn", 2)]
    [InlineData("w5-nobn", 3)]
    public void Float64WeightsAgreeWithOneProcessTo1e12(string shape, int ranks)
    {
        // 24 steps of 30 rows: 15 + 15 on 2 ranks, 10 + 10 + 10 on 3; w5-nobn's dropout masks must be the rows' own.
        var alone = Train(shape, "f64", 24, 30, ranks: 1);
        var together = Train(shape, "f64", 24, 30, ranks);
        Assert.Equal(alone.Weights.Keys, together.Weights.Keys);
        foreach (var (name, expected) in alone.Weights)
        {
            var actual = together.Weights[name];
            double scale = expected.Max(Math.Abs), error = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(error <= 1e-12 * scale, $"{name}: weights differ by {error:E3} (largest weight {scale:E3}) after {ranks} ranks");
        }

        // The weights moved: a run that trained nothing would agree as well.
        Assert.True(alone.Losses[^1] < alone.Losses[0], $"the loss did not go down: {alone.Losses[0]} → {alone.Losses[^1]}");
    }

    [MpiFact]
    public void Float32LossesAgreeWithOneProcessAfter50Steps()
    {
        var alone = Train("w1", "f32", 50, 32, ranks: 1);
        var together = Train("w1", "f32", 50, 32, ranks: 2);
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

        // And batch norm, which normalises each rank's rows by their own statistics, still trains.
        var run = Parse(first);
        Assert.True(run.Losses.Take(5).Average() > run.Losses.TakeLast(5).Average(), "the loss did not go down");
    }

    private sealed record Run(List<double> Losses, Dictionary<string, double[]> Weights);

    private Run Train(string shape, string dtype, int steps, int batch, int ranks) => Parse(TrainFile(shape, dtype, steps, batch, ranks));

    private string TrainFile(string shape, string dtype, int steps, int batch, int ranks)
    {
        string output = Path.Combine(_folder, $"{shape}-{dtype}-{ranks}-{Guid.NewGuid():N}.txt");
        string[] args = [shape, dtype, steps.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture), output];
        var host = MpiRun.Dll("Nabla.Distributed.TestHost");
        var result = ranks == 1 ? MpiRun.Alone(host, args) : MpiRun.Ranks(ranks, host, args);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}: {result.Output} {result.Error}");
        return output;
    }

    private static Run Parse(string path)
    {
        var lines = File.ReadAllLines(path);
        var losses = lines[0].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
        var weights = lines.Skip(1).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p.Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        return new Run(losses, weights);
    }
}

/// <summary>The mpirun tests run one at a time: the machine has two cores, and three ranks already oversubscribe it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MpiCollection
{
    public const string Name = "mpirun";
}
