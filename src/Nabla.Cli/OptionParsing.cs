using System.Globalization;

namespace Nabla.Cli;

/// <summary>Parsing and validation of option values that System.CommandLine takes as text.</summary>
internal static class OptionParsing
{
    /// <summary>"512,256" → [512, 256]; "" or "none" → [] (no hidden layer).</summary>
    public static int[] ParseHidden(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1)
                throw new UsageException($"--hidden: '{text}' is not a comma-separated list of positive integers (e.g. 512,256)");
        }

        return widths;
    }

    public static double Positive(double value, string option)
    {
        if (!double.IsFinite(value) || value <= 0) throw new UsageException($"{option} must be a finite number > 0, not {value.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    public static double NonNegative(double value, string option)
    {
        if (!double.IsFinite(value) || value < 0) throw new UsageException($"{option} must be a finite number >= 0, not {value.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    public static int AtLeast(int value, int minimum, string option)
    {
        if (value < minimum) throw new UsageException($"{option} must be at least {minimum}, not {value}");
        return value;
    }

    /// <summary>--threads: at least 1; more than the machine's logical cores only slows the kernels down (the extra
    /// threads wait on each other), so it is capped there, with one line on <paramref name="notes"/> saying so.</summary>
    public static int Threads(int? value, TextWriter notes)
    {
        int cores = Environment.ProcessorCount;   // the cores this process may run on (its affinity)
        int threads = AtLeast(value ?? CoresPerRank(), 1, "--threads");
        if (threads <= cores) return threads;
        if (Distributed.MpiEnvironment.StartedByMpirun)
        {
            // mpirun binds each rank to one core by default (two ranks or fewer): the rank's threads would share it.
            notes.WriteLine($"nabla: note: --threads {threads} is more than the {cores} core(s) this rank may use (mpirun binds ranks to cores); using {cores}: start mpirun with --bind-to none, or --map-by slot:PE={threads}, to give each rank {threads} cores");
            return cores;
        }

        notes.WriteLine($"nabla: note: --threads {threads} is more than this machine's {cores} logical cores; using {cores}");
        return cores;
    }

    /// <summary>The cores this process may count as its own. Ranks that mpirun started on this machine share its cores:
    /// each has its share, unless mpirun already gave each rank cores of its own (--map-by slot:PE=T, --bind-to core):
    /// then it has those.</summary>
    public static int CoresPerRank()
    {
        int cores = Environment.ProcessorCount;   // the cores this process may run on (its affinity)
        return cores < MachineCores() ? cores : Math.Max(1, cores / Distributed.MpiEnvironment.LocalRanks);
    }

    /// <summary>The machine's online logical cores (Linux's /sys list, e.g. "0-15"), whatever this process's affinity;
    /// <see cref="Environment.ProcessorCount"/> where the list cannot be read.</summary>
    private static int MachineCores()
    {
        try
        {
            int count = 0;
            foreach (var range in File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(','))
            {
                var ends = range.Split('-');
                int first = int.Parse(ends[0], System.Globalization.CultureInfo.InvariantCulture);
                count += (ends.Length == 2 ? int.Parse(ends[1], System.Globalization.CultureInfo.InvariantCulture) : first) - first + 1;
            }

            return count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return Environment.ProcessorCount;
        }
    }

    public static T Parse<T>(string text, string option, Func<string, T> parse)
    {
        try
        {
            return parse(text);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }
}
