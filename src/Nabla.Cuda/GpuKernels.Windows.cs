using ILGPU;
using ILGPU.Runtime;
using Nabla.Backends;
using Nabla.Cuda.Kernels;
using Nabla.Kernels.Convolution;

namespace Nabla.Cuda;

// The windowed ops: a convolution and max pooling, as op objects that keep their scratch between the forward and the
// backward pass (the op table's ConvolutionOp and MaxPoolOp).
internal sealed partial class GpuKernels
{
    /// <summary>A convolution of <paramref name="batch"/> images of the geometry's shape into
    /// <paramref name="outputs"/> channels in <paramref name="groups"/> groups.</summary>
    public ConvolutionOp Convolution(in Conv2dGeometry geometry, int batch, int outputs, int groups) => new GpuConvolution(this, geometry, batch, outputs, groups);

    /// <summary>Max pooling of <paramref name="planes"/> planes of the geometry's shape.</summary>
    public MaxPoolOp MaxPool(in Conv2dGeometry geometry, int planes) => new GpuMaxPool(this, geometry, planes);

    internal void Unfold(BackendStorage x, BackendStorage cols, WindowShape s, int count)
    {
        if (IsSingle(x)) Load("unfold", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape>(ConvolutionKernels.Unfold<float>))(count, View<float>(x), View<float>(cols), s);
        else Load("unfold", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, WindowShape>(ConvolutionKernels.Unfold<double>))(count, View<double>(x), View<double>(cols), s);
    }

    internal void Fold(BackendStorage gradientColumns, BackendStorage gx, WindowShape s, int count)
    {
        if (IsSingle(gx)) Load("fold", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape>(ConvolutionKernels.Fold<float>))(count, View<float>(gradientColumns), View<float>(gx), s);
        else Load("fold", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, WindowShape>(ConvolutionKernels.Fold<double>))(count, View<double>(gradientColumns), View<double>(gx), s);
    }

    /// <summary>y (N, O, P) from the products' layout (O, N, P), with the bias and the fused ReLU
    /// (<see cref="ConvolutionKernels.FromProducts"/>).</summary>
    internal void FromProducts(BackendStorage product, BackendStorage y, BackendStorage? bias, int channels, int batch, int positions, bool relu)
    {
        int hasBias = bias is null ? 0 : 1, reluFlag = relu ? 1 : 0;
        if (IsSingle(y)) Load("conv-from-products", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int>(ConvolutionKernels.FromProducts<float>))(y.Length, View<float>(product), View<float>(y), View<float>(bias ?? y), channels, batch, positions, hasBias, reluFlag);
        else Load("conv-from-products", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int, int, int, int>(ConvolutionKernels.FromProducts<double>))(y.Length, View<double>(product), View<double>(y), View<double>(bias ?? y), channels, batch, positions, hasBias, reluFlag);
    }

    /// <summary>∂y (N, O, P) into the products' layout (O, N, P) (<see cref="ConvolutionKernels.ToProducts"/>).</summary>
    internal void ToProducts(BackendStorage gy, BackendStorage product, int channels, int batch, int positions)
    {
        if (IsSingle(gy)) Load("conv-to-products", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(ConvolutionKernels.ToProducts<float>))(gy.Length, View<float>(gy), View<float>(product), channels, batch, positions);
        else Load("conv-to-products", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int, int>(ConvolutionKernels.ToProducts<double>))(gy.Length, View<double>(gy), View<double>(product), channels, batch, positions);
    }

    internal void MaxPoolForward(BackendStorage x, BackendStorage y, ArrayView<int> argMax, WindowShape s)
    {
        if (IsSingle(x)) Load("maxpool", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, WindowShape>(MaxPoolKernels.Forward<float>))(y.Length, View<float>(x), View<float>(y), argMax, s);
        else Load("maxpool", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<int>, WindowShape>(MaxPoolKernels.Forward<double>))(y.Length, View<double>(x), View<double>(y), argMax, s);
    }

    internal void MaxPoolBackward(BackendStorage g, ArrayView<int> argMax, BackendStorage gx, WindowShape s)
    {
        if (IsSingle(g)) Load("maxpool-backward", typeof(void), typeof(float), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, WindowShape>(MaxPoolKernels.Backward<float>))(gx.Length, View<float>(g), argMax, View<float>(gx), s);
        else Load("maxpool-backward", typeof(void), typeof(double), static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<int>, ArrayView<double>, WindowShape>(MaxPoolKernels.Backward<double>))(gx.Length, View<double>(g), argMax, View<double>(gx), s);
    }

    /// <summary>A buffer of <paramref name="length"/> elements of the dtype of <paramref name="like"/>.</summary>
    internal BackendStorage AllocateLike(BackendStorage like, int length) => IsSingle(like) ? Allocate<float>(length) : Allocate<double>(length);
}
