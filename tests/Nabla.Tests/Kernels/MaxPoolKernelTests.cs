using Nabla.Kernels;
using Nabla.Kernels.Convolution;

namespace Nabla.Tests.Kernels;

/// <summary>The 2×2 stride-2 max-pooling loop (eight outputs at a time in float32 on AVX2) against a plain loop of the
/// rule it keeps: the first maximum in scan order wins, a NaN wins and stays.</summary>
public sealed class MaxPoolKernelTests
{
    [Theory]
    [InlineData(2, 2)]     // one output
    [InlineData(7, 7)]     // three outputs a row: a block of eight reading into the next rows, but scalar on the last row
    [InlineData(14, 14)]   // 7 a row (W5's second pooling): the same
    [InlineData(28, 28)]   // 14 a row: one block of eight and one more ending at the row's end, overlapping it
    [InlineData(6, 34)]    // 17 a row: two blocks and an overlapping third
    [InlineData(4, 16)]    // 8 a row: one whole block
    [InlineData(5, 33)]
    public void Two_by_two_pooling_takes_the_first_maximum_and_nan_as_a_plain_loop_does(int height, int width)
    {
        const int Planes = 3;
        var random = new Random((height * 100) + width);
        // Few distinct values, so that windows tie often, with NaN, infinities and both zeros among them.
        float[] values = [-1f, 0f, -0f, 2f, 2.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 3f];
        var x = Enumerable.Range(0, Planes * height * width).Select(_ => values[random.Next(values.Length)]).ToArray();
        var g = new Conv2dGeometry(1, height, width, 2, 2, 2, 2, 0, 0, 1, 1);
        int outputs = g.OutputHeight * g.OutputWidth;
        var y = new float[Planes * outputs];
        var argMax = new int[Planes * outputs];
        MaxPoolKernel.Forward(x, y, argMax, 0, Planes, g);

        int o = 0;
        for (int plane = 0; plane < Planes; plane++)
        {
            for (int i = 0; i < g.OutputHeight; i++)
            {
                for (int j = 0; j < g.OutputWidth; j++, o++)
                {
                    int top = (plane * height * width) + (2 * i * width) + (2 * j);
                    int[] window = [top, top + 1, top + width, top + width + 1];
                    int chosen = window[0];
                    foreach (int index in window[1..])
                    {
                        if (float.IsNaN(x[chosen])) break;
                        if (float.IsNaN(x[index]) || x[index] > x[chosen]) chosen = index;
                    }

                    Assert.Equal(chosen, argMax[o]);
                    Assert.Equal(BitConverter.SingleToInt32Bits(x[chosen]), BitConverter.SingleToInt32Bits(y[o]));
                }
            }
        }
    }
}
