using System.Numerics;
using Nabla.Kernels.Convolution;
using Nabla.Threading;

namespace Nabla.Kernels;

/// <summary>Max pooling of a batch, forward and backward, with the N·C channel planes split across the kernel threads:
/// the one implementation behind <c>MaxPool2dFunction</c> (eager and captured). Each plane's
/// outputs point into the same plane, so parts never meet and the bits do not depend on the split.</summary>
internal sealed class MaxPoolPass<T> : IParallelJob
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Conv2dGeometry _geometry;
    private readonly int _planes;

    // The operands of the pass under way, read by the threads' parts.
    private T[] _x = [], _y = [], _g = [], _gx = [];
    private bool _backward;

    /// <param name="geometry">One plane: its height and width and the pooling window.</param>
    /// <param name="planes">N·C.</param>
    public MaxPoolPass(in Conv2dGeometry geometry, int planes)
    {
        _geometry = geometry;
        _planes = planes;
        ArgMax = new int[planes * geometry.OutputHeight * geometry.OutputWidth];
    }

    /// <summary>For each output, the flat index of the input the last forward pass took: written by
    /// <see cref="Forward"/>, read by <see cref="Backward"/>.</summary>
    public int[] ArgMax { get; }

    /// <summary>y = the maximum of each window of x; keeps where each came from.</summary>
    public void Forward(T[] x, T[] y)
    {
        (_x, _y, _backward) = (x, y, false);
        WorkerPool.Run(this, Parts());
    }

    /// <summary>∂L/∂x: zero, but at each output's chosen input, where that output's gradient is added.</summary>
    public void Backward(T[] g, T[] gx)
    {
        (_g, _gx, _backward) = (g, gx, true);
        WorkerPool.Run(this, Parts());
    }

    // Pooling is cheap per element: split only when each part has a few hundred thousand inputs.
    private int Parts() => (int)Math.Clamp((long)_planes * _geometry.Height * _geometry.Width / 200_000, 1, Math.Min(Parallelism.MaxThreads, _planes));

    public void Run(int part, int parts)
    {
        int first = _planes * part / parts, end = _planes * (part + 1) / parts;
        if (!_backward)
        {
            MaxPoolKernel.Forward(_x, _y, ArgMax, first, end, _geometry);
            return;
        }

        int planeSize = _geometry.Height * _geometry.Width, outputsPerPlane = _geometry.OutputHeight * _geometry.OutputWidth;
        Array.Clear(_gx, first * planeSize, (end - first) * planeSize);
        MaxPoolKernel.ScatterGradient<T>(_g, ArgMax, _gx, first * outputsPerPlane, end * outputsPerPlane);
    }
}
