using ILGPU;
using ILGPU.Runtime;
using Nabla.Backends;
using Nabla.Cuda.Kernels;
using Nabla.Kernels.Convolution;

namespace Nabla.Cuda;

// The layout entries of the op table (permute, narrow, place, gathers and scatters by index), average pooling and the
// smooth activations.
internal sealed partial class GpuKernels
{
    /// <summary>y = x with its axes permuted: axis i of y is axis perm[i] of x, whose dimensions are xDims.</summary>
    public void Permute(BackendStorage x, ReadOnlySpan<int> xDims, ReadOnlySpan<int> perm, BackendStorage y)
    {
        var shape = StridedShape.Permutation(xDims, perm);
        if (y.Length == 0) return;
        if (IsSingle(x)) Load("permute", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, StridedShape>(LayoutKernels.Permute<float>))(y.Length, View<float>(x), View<float>(y), shape);
        else Load("permute", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, StridedShape>(LayoutKernels.Permute<double>))(y.Length, View<double>(x), View<double>(y), shape);
    }

    /// <summary>y (outer × length × inner) = x (outer × n × inner) at [start, start + length) of the middle axis.</summary>
    public void Narrow(BackendStorage x, int outer, int n, int inner, int start, int length, BackendStorage y)
    {
        int count = outer * length * inner;
        if (count == 0) return;
        if (IsSingle(x)) Load("narrow", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(LayoutKernels.Narrow<float>))(count, View<float>(x), View<float>(y), n, inner, start, length);
        else Load("narrow", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int, int, int>(LayoutKernels.Narrow<double>))(count, View<double>(x), View<double>(y), n, inner, start, length);
    }

    /// <summary>destination (outer × n × inner) at [start, start + length) of the middle axis = part.</summary>
    public void Place(BackendStorage part, int outer, int n, int inner, int start, int length, BackendStorage destination)
    {
        int count = outer * length * inner;
        if (count == 0) return;
        if (IsSingle(part)) Load("place", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(LayoutKernels.Place<float>))(count, View<float>(part), View<float>(destination), n, inner, start, length);
        else Load("place", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int, int, int>(LayoutKernels.Place<double>))(count, View<double>(part), View<double>(destination), n, inner, start, length);
    }

    /// <summary>destination row i = source row rows[i], each <paramref name="rowSize"/> long.</summary>
    public void GatherRows(BackendStorage source, ReadOnlySpan<int> rows, int rowSize, BackendStorage destination)
    {
        var indices = Upload(rows, rows.Length);
        int count = rows.Length * rowSize;
        if (count == 0) return;
        if (IsSingle(source)) Load("gather-rows", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(LayoutKernels.GatherRows<float>))(count, View<float>(source), indices, View<float>(destination), rowSize);
        else Load("gather-rows", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>, ArrayView<double>, int>(LayoutKernels.GatherRows<double>))(count, View<double>(source), indices, View<double>(destination), rowSize);
    }

    /// <summary>destination row rows[i] += source row i, for every i in order.</summary>
    public void ScatterAddRows(BackendStorage source, ReadOnlySpan<int> rows, int rowSize, BackendStorage destination)
    {
        var indices = Upload(rows, rows.Length);
        if (rows.Length == 0 || rowSize == 0) return;
        if (IsSingle(source)) Load("scatter-add-rows", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(LayoutKernels.ScatterAddRows<float>))(rowSize, View<float>(source), indices, View<float>(destination), rows.Length, rowSize);
        else Load("scatter-add-rows", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>, ArrayView<double>, int, int>(LayoutKernels.ScatterAddRows<double>))(rowSize, View<double>(source), indices, View<double>(destination), rows.Length, rowSize);
    }

    /// <summary>destination[i] = source[i, columns[i]] for each row of source (rows × width).</summary>
    public void PickPerRow(BackendStorage source, ReadOnlySpan<int> columns, int width, BackendStorage destination)
    {
        var indices = Upload(columns, columns.Length);
        if (columns.Length == 0) return;
        if (IsSingle(source)) Load("pick-per-row", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(LayoutKernels.PickPerRow<float>))(columns.Length, View<float>(source), indices, View<float>(destination), width);
        else Load("pick-per-row", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>, ArrayView<double>, int>(LayoutKernels.PickPerRow<double>))(columns.Length, View<double>(source), indices, View<double>(destination), width);
    }

    /// <summary>destination (rows × width) = 0 but destination[i, columns[i]] = source[i].</summary>
    public void PlacePerRow(BackendStorage source, ReadOnlySpan<int> columns, int width, BackendStorage destination)
    {
        var indices = Upload(columns, columns.Length);
        int count = columns.Length * width;
        if (count == 0) return;
        if (IsSingle(source)) Load("place-per-row", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(LayoutKernels.PlacePerRow<float>))(count, View<float>(source), indices, View<float>(destination), width);
        else Load("place-per-row", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>, ArrayView<double>, int>(LayoutKernels.PlacePerRow<double>))(count, View<double>(source), indices, View<double>(destination), width);
    }

    /// <summary>Average pooling over <paramref name="planes"/> planes: y += the window means of x (forward), or
    /// x += each output's gradient spread evenly over its window (backward, x then being ∂L/∂x and y ∂L/∂y).</summary>
    public void AveragePool(BackendStorage x, BackendStorage y, int planes, Conv2dGeometry geometry, bool forward)
    {
        var shape = WindowShape.Of(geometry);
        int count = forward ? planes * shape.Positions : planes * geometry.Height * geometry.Width;
        if (count == 0) return;
        double scale = 1.0 / (geometry.KernelHeight * geometry.KernelWidth);
        if (IsSingle(x))
        {
            var kernel = forward
                ? Load("avgpool", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape, float>(AveragePoolKernels.Forward<float>))
                : Load("avgpool-backward", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape, float>(AveragePoolKernels.Backward<float>));
            kernel(count, View<float>(x), View<float>(y), shape, 1f / (geometry.KernelHeight * geometry.KernelWidth));
        }
        else
        {
            var kernel = forward
                ? Load("avgpool", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, WindowShape, double>(AveragePoolKernels.Forward<double>))
                : Load("avgpool-backward", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, WindowShape, double>(AveragePoolKernels.Backward<double>));
            kernel(count, View<double>(x), View<double>(y), shape, scale);
        }
    }

    /// <summary>A smooth activation (<paramref name="kind"/>) of <paramref name="count"/> elements, with its derivative.</summary>
    public SmoothActivationOp SmoothActivation(Nabla.Kernels.SmoothActivation kind, double alpha, int count) => new GpuSmoothActivation(this, kind, alpha, count);

    internal void RunSmoothActivation(BackendStorage x, BackendStorage y, BackendStorage derivative, Nabla.Kernels.SmoothActivation kind, double alpha, int count)
    {
        if (count == 0) return;
        if (IsSingle(x)) Load("smooth-activation", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, double>(SmoothActivationKernels.Run<float, SinglePrecision>))(count, View<float>(x), View<float>(y), View<float>(derivative), (int)kind, alpha);
        else Load("smooth-activation", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, double>(SmoothActivationKernels.Run<double, DoublePrecision>))(count, View<double>(x), View<double>(y), View<double>(derivative), (int)kind, alpha);
    }
}
