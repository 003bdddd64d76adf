using System.Globalization;

namespace Nabla;

/// <summary>The memory this process can still allocate, and where that figure came from, so that a refusal can say
/// which limit it met.</summary>
/// <param name="Bytes">The bytes available.</param>
/// <param name="Source">Where the figure came from, in words (the GC's limit, or <c>/proc/meminfo</c>'s MemAvailable).</param>
public readonly record struct AvailableMemory(long Bytes, string Source)
{
    /// <summary>The smaller of two figures: what the garbage collector may still use
    /// (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>, which follows a container's limit and
    /// <c>DOTNET_GCHeapHardLimit</c>, less the managed heap in use) and, on Linux, <c>MemAvailable</c> in
    /// <c>/proc/meminfo</c> (memory the kernel can give without swapping). The source of the smaller one is named.</summary>
    public static AvailableMemory Query()
    {
        long gcLimit = Math.Max(0, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - GC.GetTotalMemory(forceFullCollection: false));
        var fromGc = new AvailableMemory(gcLimit, "the GC's limit: GCMemoryInfo.TotalAvailableMemoryBytes less the heap in use");
        return MemAvailable() is { } kernel && kernel < gcLimit ? new AvailableMemory(kernel, "MemAvailable in /proc/meminfo") : fromGc;
    }

    /// <summary>Bytes as a short figure in binary units with the invariant culture: <c>512 B</c>, <c>3.2 MiB</c>, <c>25.3 GiB</c>.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B") : string.Create(CultureInfo.InvariantCulture, $"{value:F1} {units[unit]}");
    }

    /// <summary>The figure and its source, e.g. <c>21.9 GiB (MemAvailable in /proc/meminfo)</c>.</summary>
    public override string ToString() => $"{Format(Bytes)} ({Source})";

    // MemAvailable, in kB in the file; null off Linux or when the line is missing or unreadable.
    private static long? MemAvailable()
    {
        const string meminfo = "/proc/meminfo";
        try
        {
            if (!File.Exists(meminfo)) return null;
            foreach (var line in File.ReadLines(meminfo))
            {
                if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kb) ? kb * 1024 : null;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
