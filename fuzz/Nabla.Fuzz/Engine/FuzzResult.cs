using System.Globalization;
using System.Text;

namespace Nabla.Fuzz.Engine;

/// <summary>What a campaign on one target saw.</summary>
internal sealed class FuzzResult(string target)
{
    /// <summary>The target's name.</summary>
    public string Target { get; } = target;

    /// <summary>Mutated inputs run (the seeds' own first run not counted).</summary>
    public long Inputs { get; set; }

    /// <summary>Inputs the reader refused with its documented exception.</summary>
    public long Rejected { get; set; }

    /// <summary>Inputs the reader accepted.</summary>
    public long Accepted { get; set; }

    /// <summary>Inputs that ended in another exception, broke an invariant, or were rejected with a message that does
    /// not name the file.</summary>
    public long Crashes { get; set; }

    /// <summary>Inputs that ran longer than the timeout.</summary>
    public long Hangs { get; set; }

    /// <summary>Inputs that allocated more than the limit.</summary>
    public long LargeAllocations { get; set; }

    /// <summary>Seeds that the reader accepted unmutated (all should be).</summary>
    public int SeedsAccepted { get; set; }

    /// <summary>The seeds.</summary>
    public int SeedCount { get; set; }

    /// <summary>Different rejection messages (digits and the file name blanked): a rough measure of how deep mutants go.</summary>
    public int DistinctRejections { get; set; }

    /// <summary>Wall-clock seconds.</summary>
    public double Seconds { get; set; }

    /// <summary>Each kind of finding (exception type and where it was thrown), its count and a saved example.</summary>
    public Dictionary<string, (long Count, string Example)> Findings { get; } = new(StringComparer.Ordinal);

    /// <summary>No crash, hang or large allocation.</summary>
    public bool Clean => Crashes == 0 && Hangs == 0 && LargeAllocations == 0;

    /// <summary>The summary table's header.</summary>
    public static string HeaderLine =>
        $"{"target",-18}{"inputs",12}{"rejected",12}{"accepted",11}{"crashes",9}{"hangs",7}{"big-alloc",10}{"seconds",9}{"inputs/s",10}{"reasons",9}{"seeds ok",10}";

    /// <summary>One line of the summary table.</summary>
    public string Line => string.Create(
        CultureInfo.InvariantCulture,
        $"{Target,-18}{Inputs,12:N0}{Rejected,12:N0}{Accepted,11:N0}{Crashes,9:N0}{Hangs,7:N0}{LargeAllocations,10:N0}{Seconds,9:F1}{Inputs / Math.Max(Seconds, 1e-9),10:N0}{DistinctRejections,9:N0}{$"{SeedsAccepted}/{SeedCount}",10}");

    /// <summary>The findings, one per line.</summary>
    public string FindingsText()
    {
        var text = new StringBuilder();
        foreach (var (kind, (count, example)) in Findings.OrderByDescending(f => f.Value.Count))
            text.Append(CultureInfo.InvariantCulture, $"  {Target}: {count} x {kind}{Environment.NewLine}    e.g. {example}{Environment.NewLine}");
        return text.ToString();
    }
}
