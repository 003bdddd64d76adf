using Nabla.Autograd.Functions;

namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>2-D convolution of this (N, C, H, W) tensor with <paramref name="weight"/> (O, C/groups, KH, KW) plus
    /// <paramref name="bias"/> (O): (N, O, OH, OW), OH = ⌊(H + 2·padding − dilation·(KH − 1) − 1) / stride⌋ + 1.</summary>
    /// <exception cref="ArgumentException">The shapes, dtypes or window sizes do not fit together.</exception>
    public Tensor Conv2d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(weight);
        return Conv2dFunction.Apply(this, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);
    }

    /// <summary>2-D max pooling of this (N, C, H, W) tensor over <paramref name="kernel"/>² windows; the stride defaults to
    /// the kernel size. Ties send the gradient to the first maximum, row by row.</summary>
    public Tensor MaxPool2d(int kernel, int? stride = null, int padding = 0, int dilation = 1)
    {
        int s = stride ?? kernel;
        return MaxPool2dFunction.Apply(this, (kernel, kernel), (s, s), (padding, padding), (dilation, dilation));
    }

    /// <summary>2-D average pooling of this (N, C, H, W) tensor over <paramref name="kernel"/>² windows (padding counted
    /// as zeros); the stride defaults to the kernel size.</summary>
    public Tensor AvgPool2d(int kernel, int? stride = null, int padding = 0)
    {
        int s = stride ?? kernel;
        return AvgPool2dFunction.Apply(this, (kernel, kernel), (s, s), (padding, padding));
    }
}
