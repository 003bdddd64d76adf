using Nabla.Backends;
using Nabla.Cuda.Kernels;
using Nabla.Tensors;

namespace Nabla.Cuda.Tests;

/// <summary>The pieces of a matrix product through cuBLAS that can be checked without a GPU: the column-major GEMM
/// arguments a row-major product is turned into (run here by a reference GEMM that follows the BLAS definition), the
/// bias and ReLU applied after it, and the device fill that zeroes gradients.</summary>
[Collection(CpuAcceleratorCollection.Name)]
[Trait("Category", "Cuda")]
public sealed class GpuBlasProductTests(CpuAcceleratorFixture fixture)
{
    /// <summary>BLAS's gemm as its reference defines it: C ← α·op(A)·op(B) + β·C, column-major, element (i, j) of an
    /// r-row matrix with leading dimension ld at i + j·ld; op(X) = Xᵀ when transposed.</summary>
    private static void ReferenceGemm(BlasProduct p, double[] first, double[] second, double[] c)
    {
        int firstRows = p.TransposeFirst ? p.K : p.M, secondRows = p.TransposeSecond ? p.N : p.K;
        Assert.True(p.FirstLeading >= Math.Max(1, firstRows), $"lda {p.FirstLeading} < {firstRows}: cuBLAS refuses it");
        Assert.True(p.SecondLeading >= Math.Max(1, secondRows), $"ldb {p.SecondLeading} < {secondRows}: cuBLAS refuses it");
        Assert.True(p.ResultLeading >= Math.Max(1, p.M), $"ldc {p.ResultLeading} < {p.M}: cuBLAS refuses it");
        for (int i = 0; i < p.M; i++)
        {
            for (int j = 0; j < p.N; j++)
            {
                double sum = 0;
                for (int l = 0; l < p.K; l++)
                {
                    double a = p.TransposeFirst ? first[p.FirstOffset + l + (i * p.FirstLeading)] : first[p.FirstOffset + i + (l * p.FirstLeading)];
                    double b = p.TransposeSecond ? second[p.SecondOffset + j + (l * p.SecondLeading)] : second[p.SecondOffset + l + (j * p.SecondLeading)];
                    sum += a * b;
                }

                int at = p.ResultOffset + i + (j * p.ResultLeading);
                c[at] = sum + (p.Beta * c[at]);
            }
        }
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(true, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    public void The_column_major_gemm_computes_the_row_major_product(bool transposeA, bool transposeB, bool accumulate)
    {
        var random = new Random(3);
        foreach (var (m, k, n) in new[] { (3, 5, 4), (1, 7, 2), (6, 1, 5), (4, 3, 1) })
        {
            const int aOffset = 2, bOffset = 5, cOffset = 3;
            double[] a = [.. Enumerable.Range(0, aOffset + (m * k)).Select(_ => random.NextDouble() - 0.5)];
            double[] b = [.. Enumerable.Range(0, bOffset + (k * n)).Select(_ => random.NextDouble() - 0.5)];
            double[] start = [.. Enumerable.Range(0, cOffset + (m * n) + 2).Select(_ => random.NextDouble())];
            var expected = (double[])start.Clone();
            Backend.Cpu.Ops.MatMul(new CpuStorage<double>(a), aOffset, transposeA, new CpuStorage<double>(b), bOffset, transposeB, new CpuStorage<double>(expected), cOffset, m, k, n);
            if (accumulate)
            {
                for (int i = cOffset; i < cOffset + (m * n); i++) expected[i] += start[i];
            }

            var shape = MatMulShape.Of(aOffset, transposeA, bOffset, transposeB, cOffset, m, k, n);
            shape.Accumulate = accumulate ? 1 : 0;
            var actual = (double[])start.Clone();
            ReferenceGemm(BlasProduct.Of(shape), b, a, actual);   // the first operand is B, the second A
            Storage.AssertClose(expected, actual, DType.Float64, $"{m}×{k}×{n} transposeA={transposeA} transposeB={transposeB} accumulate={accumulate}");
        }
    }

    [Theory]
    [InlineData(DType.Float32, true, true)]
    [InlineData(DType.Float32, false, true)]
    [InlineData(DType.Float64, true, false)]
    [InlineData(DType.Float64, true, true)]
    public void The_epilogue_after_a_gemm_gives_the_linear_layers_output(DType dtype, bool hasBias, bool relu)
    {
        const int rows = 7, inputs = 9, outputs = 5;
        var random = new Random(8);
        double[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (random.NextDouble() * 2) - 1)];
        double[] x = Values(rows * inputs), w = Values(outputs * inputs), bias = Values(outputs);
        var expected = Storage.Cpu(dtype, new double[rows * outputs]);
        Backend.Cpu.Ops.Linear(Storage.Cpu(dtype, x), Storage.Cpu(dtype, w), hasBias ? Storage.Cpu(dtype, bias) : null, expected, rows, inputs, outputs, relu);

        // What the cuBLAS path does: the bare product, then the epilogue kernel.
        var kernels = fixture.Kernels;
        var y = Storage.Gpu(kernels, dtype, new double[rows * outputs]);
        kernels.MatMul(Storage.Gpu(kernels, dtype, x), 0, false, Storage.Gpu(kernels, dtype, w), 0, true, y, 0, rows, inputs, outputs);
        var shape = MatMulShape.Of(0, false, 0, true, 0, rows, inputs, outputs);
        shape.HasBias = hasBias ? 1 : 0;
        shape.Relu = relu ? 1 : 0;
        kernels.ApplyProductEpilogue(y, hasBias ? Storage.Gpu(kernels, dtype, bias) : null, shape);
        Storage.AssertClose(expected, y, dtype, $"epilogue bias={hasBias} relu={relu}");
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Fill_sets_every_element_of_a_device_tensor(DType dtype)
    {
        var t = Tensor.FromArray(new double[] { 1, -2, 3, 4, 5 }).To(dtype).To(Device.Cuda);
        t.Fill(2.5);
        Assert.Equal([2.5, 2.5, 2.5, 2.5, 2.5], t.ToDoubleArray());
        t.Fill(0);
        Assert.Equal(new double[5], t.ToDoubleArray());
        t.Fill(-0.0);
        Assert.All(t.ToDoubleArray(), v => Assert.True(double.IsNegative(v), "−0 filled as −0"));
    }
}
