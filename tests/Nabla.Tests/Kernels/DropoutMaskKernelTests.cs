using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>Dropout's mask: the integer comparison chooses as the uniform double does, and any split of the mask into
/// ranges draws the values of one pass.</summary>
public sealed class DropoutMaskKernelTests
{
    [Fact]
    public void The_integer_threshold_keeps_exactly_the_draws_the_uniform_comparison_keeps()
    {
        var random = new Random(3);
        double[] probabilities = [0, 1e-300, 0.1, 0.25, 0.5, 0.75, 0.9, 1 - 1e-16, 1, .. Enumerable.Range(0, 40).Select(_ => random.NextDouble())];
        ulong key = CounterRandom.Key(11);
        foreach (double p in probabilities)
        {
            ulong threshold = CounterRandom.Threshold(p);
            for (ulong counter = 0; counter < 2000; counter++)
                Assert.Equal(CounterRandom.Uniform(key, counter) < p, CounterRandom.Bits53(key, counter) < threshold);

            // At the edge itself: the draw n = t − 1 is below p and n = t is not.
            if (threshold is > 0 and < 1UL << 53)
            {
                Assert.True((threshold - 1) * (1.0 / (1UL << 53)) < p);
                Assert.False(threshold * (1.0 / (1UL << 53)) < p);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4093)]
    [InlineData(100_003)]
    public void A_mask_drawn_in_ranges_equals_the_mask_drawn_at_once_and_keeps_about_keep_of_the_values(int length)
    {
        ulong key = CounterRandom.Key(5);
        var whole = new float[length];
        var split = new float[length];
        DropoutMaskKernel.Fill<float>(whole, key, first: 77, keep: 0.75);
        for (int start = 0; start < length; start += 2048)
        {
            int count = Math.Min(2048, length - start);
            DropoutMaskKernel.Fill<float>(split.AsSpan(start, count), key, first: 77 + (ulong)start, keep: 0.75);
        }

        Assert.Equal(whole, split);
        for (int i = 0; i < length; i += 997)
            Assert.Equal(CounterRandom.Uniform(key, 77 + (ulong)i) < 0.75 ? 1 / 0.75f : 0f, whole[i]);
        if (length > 10_000) Assert.InRange(whole.Count(v => v != 0) / (double)length, 0.73, 0.77);
    }
}
