using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Nabla.Training;

/// <summary>Where a captured training step spends its time, kernel by kernel. Set one as a step's
/// <see cref="TrainingStep.Profile"/> and every replayed forward and backward pass times each of its kernels and adds
/// the time to the kernel's name (<c>nabla bench W5 --profile</c> prints the table), so that what to optimise is read
/// off a measurement, not guessed. Eager steps and the optimiser's update are not in it.</summary>
/// <remarks>A timestamp around each kernel costs tens of nanoseconds, nothing next to the kernels of a CNN step, but
/// the benchmarks' own figures are taken without a profile. Kernels of the same name (every convolution's forward, say)
/// add up under that name; a fused kernel's name says what it fused.</remarks>
public sealed class StepProfile
{
    private readonly Dictionary<string, (long Ticks, long Calls)> _byName = [];

    /// <summary>Replayed passes timed.</summary>
    public long Passes { get; private set; }

    /// <summary>Each kernel name's milliseconds and launches per pass, the most time first.</summary>
    public IReadOnlyList<KernelTime> PerPass()
    {
        double passes = Math.Max(1, Passes);
        return [.. _byName
            .Select(entry => new KernelTime(entry.Key, entry.Value.Ticks * 1000.0 / Stopwatch.Frequency / passes, entry.Value.Calls / passes))
            .OrderByDescending(entry => entry.Milliseconds)];
    }

    /// <summary>Runs <paramref name="kernels"/> in order, timing each under its name in <paramref name="names"/>.</summary>
    internal void Run(Action[] kernels, string[] names)
    {
        for (int i = 0; i < kernels.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            kernels[i]();
            long ticks = Stopwatch.GetTimestamp() - start;
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_byName, names[i], out _);
            entry = (entry.Ticks + ticks, entry.Calls + 1);
        }

        Passes++;
    }
}

/// <summary>One kernel name's share of a profiled pass (<see cref="StepProfile.PerPass"/>).</summary>
/// <param name="Name">The kernel, as the capture names it.</param>
/// <param name="Milliseconds">Its time per pass, all its launches together.</param>
/// <param name="Launches">Its launches per pass.</param>
public sealed record KernelTime(string Name, double Milliseconds, double Launches);
