namespace Nabla.Cli.Benchmarks;

/// <summary>The summary statistic every benchmark figure uses: the median of repeated runs, robust to the odd slow
/// run (a noisy neighbour, a garbage collection) that would drag a mean.</summary>
internal static class Statistics
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values to take the median of");
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
