namespace Nabla.Fuzz.Engine;

/// <summary>How long and how a campaign runs.</summary>
/// <param name="Seed">Fixes the whole run: the same seed and input count give the same inputs.</param>
/// <param name="Inputs">Stop after this many mutated inputs (null: no limit).</param>
/// <param name="Seconds">Stop after this long (null: no limit).</param>
/// <param name="TimeoutMilliseconds">An input that runs longer is reported as a hang.</param>
/// <param name="MaxLength">Mutants are cut to this many bytes.</param>
/// <param name="MaxAllocatedMegabytes">An input that makes the reader allocate more managed memory is reported.</param>
/// <param name="CrashDirectory">Where crashing inputs are saved (&lt;dir&gt;/&lt;target&gt;/&lt;hash&gt;.bin), or null.</param>
internal sealed record FuzzOptions(
    int Seed = 1,
    long? Inputs = 10_000,
    double? Seconds = null,
    int TimeoutMilliseconds = 2000,
    int MaxLength = 1 << 16,
    long MaxAllocatedMegabytes = 512,
    string? CrashDirectory = null);
