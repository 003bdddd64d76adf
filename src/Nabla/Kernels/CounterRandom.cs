namespace Nabla.Kernels;

/// <summary>A counter-based generator: draw number n of stream <c>seed</c> is a hash of (seed, n), so the state of a
/// stream is just how many draws it has made. That makes a run resumable from a checkpoint (save the count, not a
/// generator's internals) and lets any element be drawn independently of the others.</summary>
/// <remarks>The hash is SplitMix64's finaliser (Steele, Lea and Flood, 2014), which passes BigCrush when applied to a
/// counter; doubles take its top 53 bits.</remarks>
internal static class CounterRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>A stream's key from a user's seed, so that seeds 0, 1, 2 give unrelated streams.</summary>
    public static ulong Key(int seed) => Mix((ulong)(uint)seed * Golden + 0x632BE59BD9B4E019UL);

    /// <summary>Draw <paramref name="counter"/> of stream <paramref name="key"/>: uniform in [0, 1).</summary>
    public static double Uniform(ulong key, ulong counter) => Bits53(key, counter) * (1.0 / (1UL << 53));

    /// <summary>Draw <paramref name="counter"/> as the integer n in [0, 2⁵³) that <see cref="Uniform"/> scales by 2⁻⁵³.</summary>
    public static ulong Bits53(ulong key, ulong counter) => Mix(key + ((counter + 1) * Golden)) >> 11;

    /// <summary>The integer t with Bits53 &lt; t exactly when Uniform &lt; <paramref name="probability"/>, for
    /// <paramref name="probability"/> in [0, 1]: n·2⁻⁵³ &lt; p ⟺ n &lt; p·2⁵³ (a power-of-two scaling, exact) ⟺
    /// n &lt; ⌈p·2⁵³⌉ for an integer n. So a draw is compared without its conversion to a double.</summary>
    public static ulong Threshold(double probability) => (ulong)Math.Ceiling(probability * (1UL << 53));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
