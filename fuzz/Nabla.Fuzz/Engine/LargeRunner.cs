using System.Diagnostics;
using System.Globalization;

namespace Nabla.Fuzz.Engine;

/// <summary>Reads large inputs once each through the readers' path entry points and measures, per input, the wall time,
/// the peak resident memory above what the process held before (Linux: the peak is reset through
/// <c>/proc/self/clear_refs</c> and read as VmHWM) and the managed bytes allocated; prints one Markdown row per input.</summary>
internal static class LargeRunner
{
    /// <summary>The header of the table <see cref="Run"/> prints.</summary>
    public const string Header = "| target | input | file | outcome | seconds | peak memory above the process's | managed allocations |\n|---|---|---:|---|---:|---:|---:|";

    /// <summary>Generates and reads each input of <paramref name="inputs"/> whose target is in <paramref name="targets"/>;
    /// returns false when one ended in anything but the target's documented rejection.</summary>
    public static bool Run(IReadOnlyList<LargeInput> inputs, IReadOnlyList<FileTarget> targets, TextWriter log)
    {
        bool clean = true;
        log.WriteLine(Header);
        foreach (var input in inputs)
        {
            var target = targets.FirstOrDefault(t => t.Name == input.Target);
            if (target is null) continue;
            var folder = Path.Combine(Path.GetTempPath(), $"nabla-fuzz-large-{Environment.ProcessId}");
            Directory.CreateDirectory(folder);
            try
            {
                var path = Path.Combine(folder, input.FileName);
                input.Write(path);
                long size = Directory.Exists(path) ? Directory.GetFiles(path).Sum(f => new FileInfo(f).Length) : new FileInfo(path).Length;
                // An aggressive collection gives back the memory the GC holds free (writing the input, the last
                // input's data), so that the peak above the baseline is the reader's own.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                long baseline = ProcStatus("VmRSS:");
                bool peakReset = ResetPeak();
                long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var clock = Stopwatch.StartNew();
                string outcome;
                try
                {
                    (input.Read ?? target.ReadFile)(path);
                    outcome = "accepted";
                }
#pragma warning disable CA1031 // Every outcome is reported; only an undocumented one fails the run.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    bool rejected = target.IsRejection(e) && e.Message.Contains(input.FileName, StringComparison.Ordinal);
                    clean &= rejected;
                    string message = e.Message.Replace(folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).ReplaceLineEndings(" ");
                    outcome = (rejected ? "rejected: " : $"CRASH ({e.GetType().Name}): ") + (message.Length > 110 ? message[..110] + "…" : message);
                }

                clock.Stop();
                long peak = peakReset ? ProcStatus("VmHWM:") - baseline : -1;
                long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {target.Name} | {input.Description} | {Megabytes(size)} | {outcome.Replace("|", "\\|", StringComparison.Ordinal)} | {clock.Elapsed.TotalSeconds:F2} | {(peak >= 0 ? Megabytes(peak) : "n/a")} | {Megabytes(allocated)} |"));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        return clean;
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:N1} MB");

    // Writing 5 to clear_refs resets the process's peak resident set size (VmHWM) to its current size (Linux ≥ 4.0).
    private static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // A "kB" line of /proc/self/status, in bytes (0 off Linux).
    private static long ProcStatus(string key)
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? 0 : 1024 * long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
