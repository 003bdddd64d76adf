using Nabla.Fuzz.Engine;
using Nabla.Fuzz.Targets;

namespace Nabla.Tests.Fuzzing;

/// <summary>The bounded fuzz run of CI: every managed reader's target for a few thousand mutants of a fixed seed; any
/// exception other than the documented one, a hang or a huge allocation fails. The long campaigns are in docs/fuzzing.md.</summary>
public sealed class FuzzTests
{
    public static TheoryData<string> Targets() => [.. CoreTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void A_bounded_campaign_finds_nothing_but_documented_rejections(string name)
    {
        var target = CoreTargets.All.Single(t => t.Name == name);
        var result = new FuzzRunner(target, new FuzzOptions(Seed: 20240601, Inputs: 4000)).Run();
        Assert.True(result.Clean, $"{result.Line}\n{result.FindingsText()}");
        Assert.Equal(result.SeedCount, result.SeedsAccepted);
        Assert.Equal(4000, result.Inputs);
        Assert.Equal(result.Inputs, result.Rejected + result.Accepted);
        Assert.True(result.Rejected > 0, result.Line);
        // A checksummed format refuses nearly every mutant (6 in 20,000 in docs/fuzzing.md's campaign): its accepting path
        // is shown by the seeds, all accepted above.
        Assert.True(result.Accepted > 0 || target.SealedByChecksum, result.Line);
    }

    [Fact]
    public void A_campaign_is_reproduced_by_its_seed()
    {
        var target = CoreTargets.All.Single(t => t.Name == "csv");
        var a = new FuzzRunner(target, new FuzzOptions(Seed: 5, Inputs: 500)).Run();
        var b = new FuzzRunner(target, new FuzzOptions(Seed: 5, Inputs: 500)).Run();
        Assert.Equal((a.Rejected, a.Accepted, a.DistinctRejections), (b.Rejected, b.Accepted, b.DistinctRejections));
    }

    [Fact]
    public void An_exception_other_than_the_documented_one_is_a_crash_saved_under_the_targets_name()
    {
        var folder = Path.Combine(Path.GetTempPath(), "nabla-fuzz-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = new FuzzRunner(new Throwing(), new FuzzOptions(Inputs: 48, CrashDirectory: folder)).Run();
            Assert.False(result.Clean);
            Assert.Equal(24, result.Crashes);
            Assert.Contains(result.Findings.Keys, k => k.StartsWith("System.IndexOutOfRangeException", StringComparison.Ordinal));
            Assert.Contains(result.Findings.Keys, k => k.StartsWith("rejection without the file name", StringComparison.Ordinal));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder, "throwing"), "*.bin"));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Rejects with the file name, rejects without it, or throws an index exception, by the input's length.</summary>
    private sealed class Throwing : FuzzTarget
    {
        private int _calls;

        public override string Name => "throwing";

        public override string Description => "a reader with bugs";

        public override string FileName => "t.bin";

        public override IReadOnlyList<byte[]> Seeds() => [[1, 2, 3]];

        public override byte[] Mutate(byte[] parent, Mutator mutator) => parent;

        public override void Run(byte[] input)
        {
            // The seed's own run is call 0 and is accepted; then mutants alternate between the four outcomes.
            int call = _calls++;
            if (call == 0) return;
            switch (call % 4)
            {
                case 0: throw new Nabla.Data.DataFormatException("t.bin: bad");
                case 1: throw new Nabla.Data.DataFormatException("bad, and no name");
                case 2: throw new IndexOutOfRangeException();
                default: return;
            }
        }
    }
}
