using Nabla.Backends;
using Nabla.Engine;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Engine;

/// <summary>The fusion pass of a capture (<see cref="KernelFusion"/>): each rewrite fires where its pattern is, in any
/// module's code, stays away where it would change what is computed, and gives the unfused kernels' results bit for bit.</summary>
public sealed class KernelFusionTests
{
    /// <summary>Records <paramref name="pass"/>'s kernels and fuses them, keeping <paramref name="keep"/> whole.</summary>
    private static (RecordedKernel[] Fused, int Fusions, string[] Names) RecordFused(Func<Tensor[]> pass)
    {
        Tensor[] keep;
        RecordedKernel[] kernels;
        using (var tape = KernelTape.Record())
        {
            keep = pass();
            Assert.Null(tape.Spoiled);
            kernels = tape.Freeze();
        }

        var fused = KernelFusion.Apply(kernels, [.. keep.Select(t => t.Storage)], out int fusions);
        return (fused, fusions, [.. fused.Select(k => KernelTape.Describe(k.Run))]);
    }

    private static void Replay(RecordedKernel[] kernels)
    {
        foreach (var kernel in kernels) kernel.Run();
    }

    private static Tensor Tanned(Tensor t) => (((t * 2.0) + 1.0).Tanh() * t).Exp().Sigmoid() - t;

    [Theory]
    [InlineData(1, DType.Float32)]
    [InlineData(7, DType.Float64)]
    [InlineData(2047, DType.Float32)]
    [InlineData(2048, DType.Float64)]
    [InlineData(2049, DType.Float32)]
    [InlineData(4095, DType.Float64)]
    [InlineData((6 * 2048) + 5, DType.Float32)]
    [InlineData((6 * 2048) + 5, DType.Float64)]
    public void A_chain_of_elementwise_ops_runs_as_one_kernel_with_the_unfused_bits(int length, DType dtype)
    {
        var random = new Random(length);
        var x = Tensor.Uniform([length], -3, 3, random, dtype);
        Tensor y = null!;
        var (fused, fusions, names) = RecordFused(() => [x, y = Tanned(x)]);

        // Seven ops in one chain; the kernels that write the two scalar constants share no buffer with it and run
        // before it.
        Assert.Equal(6, fusions);
        Assert.Equal(
            ["Tensor.ZeroOnReplay", "Tensor.RecordFill", "Tensor.ZeroOnReplay", "Tensor.RecordFill",
             "elementwise chain of Tensor.RawBinary<MultiplyOperator>, Tensor.RawBinary<AddOperator>, Tensor.RawUnary<TanhOperator>, Tensor.RawBinary<MultiplyOperator>, Tensor.RawUnary<ExpOperator>, Tensor.RawUnary<SigmoidOperator>, Tensor.RawBinary<SubtractOperator>"],
            names);

        x.CopyFrom(Tensor.Uniform([length], -3, 3, random, dtype));   // a new input, as a replay's batch
        Replay(fused);
        Assert.Equal(Tanned(x).ToDoubleArray(), y.ToDoubleArray());
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void A_long_chain_split_across_two_threads_gives_the_bits_of_one_thread(DType dtype)
    {
        const int Length = (40 * 2048) + 7;   // past the parallel threshold, with a remainder in the last block
        var random = new Random(41);
        var x = Tensor.Uniform([Length], -3, 3, random, dtype);
        Tensor y = null!;
        RecordedKernel[] fused;
        using (Parallelism.Limit(2)) (fused, _, _) = RecordFused(() => [x, y = Tanned(x)]);

        x.CopyFrom(Tensor.Uniform([Length], -3, 3, random, dtype));
        using (Parallelism.Limit(2)) Replay(fused);
        double[] oneThread;
        using (Parallelism.Limit(1)) oneThread = Tanned(x).ToDoubleArray();
        Assert.Equal(oneThread, y.ToDoubleArray());
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void A_relu_after_a_linear_layer_joins_the_gemm_epilogue(DType dtype)
    {
        var random = new Random(3);
        var layer = new Linear(20, 37, random, dtype: dtype);
        var x = Tensor.Uniform([9, 20], -1, 1, random, dtype);
        Tensor y = null!;
        var (fused, fusions, names) = RecordFused(() => [x, y = layer.Forward(x).Relu()]);

        Assert.Equal(1, fusions);
        Assert.Equal(["LinearFunction.Apply with Tensor.RawUnary<ReluOperator> in its epilogue"], names);
        x.CopyFrom(Tensor.Uniform([9, 20], -1, 1, random, dtype));
        Replay(fused);
        Assert.Equal(layer.Forward(x).Relu().ToDoubleArray(), y.ToDoubleArray());
    }

    [Fact]
    public void A_pre_activation_used_again_is_not_folded_away_but_its_elementwise_ops_still_chain()
    {
        var random = new Random(4);
        var layer = new Linear(20, 37, random);
        var x = Tensor.Uniform([9, 20], -1, 1, random, DType.Float32);
        Tensor y = null!;
        var (fused, fusions, names) = RecordFused(() =>
        {
            var a = layer.Forward(x);
            return [x, y = a.Relu() + a];   // a is read after the ReLU: the GEMM must still write it
        });

        Assert.Equal(1, fusions);
        Assert.Equal(["LinearFunction.Apply", "elementwise chain of Tensor.RawUnary<ReluOperator>, Tensor.RawBinary<AddOperator>"], names);
        x.CopyFrom(Tensor.Uniform([9, 20], -1, 1, random, DType.Float32));
        Replay(fused);
        var a = layer.Forward(x);
        Assert.Equal((a.Relu() + a).ToDoubleArray(), y.ToDoubleArray());
    }

    [Fact]
    public void A_pre_activation_the_caller_reads_is_not_folded_away()
    {
        var random = new Random(5);
        var layer = new Linear(20, 37, random);
        var x = Tensor.Uniform([9, 20], -1, 1, random, DType.Float32);
        var (_, fusions, names) = RecordFused(() =>
        {
            var a = layer.Forward(x);
            return [x, a, a.Relu()];   // a is an output too
        });

        Assert.Equal(0, fusions);
        Assert.Equal(["LinearFunction.Apply", "Tensor.RawUnary<ReluOperator>"], names);
    }

    /// <summary>Trains <paramref name="architecture"/> on 1×6×6 images for 12 steps of 8, captured and eagerly, under
    /// the checking backend (so the rewritten kernels must declare what they read and write); asserts equal losses,
    /// 11 replays and the same final state bit for bit, and returns the capture's kernel names.</summary>
    private static IReadOnlyList<string> TrainCapturedAgainstEager(string architecture, DType dtype)
    {
        Module Build() => Architecture.Build(architecture, [1, 6, 6], new Random(1), dtype: dtype).Model;
        var random = new Random(7);
        var batches = Enumerable.Range(0, 12).Select(_ => (Tensor.Normal([8, 36], 0, 1, random, dtype), Enumerable.Range(0, 8).Select(_ => random.Next(4)).ToArray())).ToArray();
        var eagerModel = Build();
        var eager = TrainingStep.Capture(eagerModel, new CrossEntropyLoss(), new Adam(eagerModel.Parameters(), 0.01));
        eager.Captures = false;
        var model = Build();
        var captured = TrainingStep.Capture(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.01));
        using (Backend.Use(new CheckingBackend()))
        {
            foreach (var (x, labels) in batches) Assert.Equal(eager.Run(x, labels).Loss, captured.Run(x, labels).Loss);
        }

        Assert.Equal(11, captured.ReplayedSteps);
        foreach (var ((name, want), (_, got)) in eagerModel.NamedState().Zip(model.NamedState()))
            Assert.True(want.ToDoubleArray().SequenceEqual(got.ToDoubleArray()), $"{dtype}: {name} differs");
        return captured.CapturedKernels(new Shape(8, 36), dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void A_convolution_takes_the_relu_after_it_into_its_epilogue_and_the_relu_backward_into_its_own(DType dtype)
    {
        var names = TrainCapturedAgainstEager("conv4k3p1-relu-pool2-conv6k3p1-relu-pool2-flatten-fc8-relu-fc4", dtype);
        Assert.Equal(2, names.Count(n => n == "Conv2dFunction.Apply with Tensor.RawUnary<ReluOperator> in its epilogue"));
        Assert.Equal(1, names.Count(n => n == "LinearFunction.Apply with Tensor.RawUnary<ReluOperator> in its epilogue"));
        // The second convolution's backward masks its gradient; the first's input gradient is not needed, and its
        // gradient is masked by the same rewrite.
        Assert.Equal(2, names.Count(n => n.StartsWith("Conv2dFunction.Backward masking its gradient as ReluFunction.Mask did", StringComparison.Ordinal)));
        Assert.DoesNotContain(names, n => n.StartsWith("Tensor.RawUnary<ReluOperator>", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void A_batch_norm_takes_the_relu_after_it_into_its_epilogue_and_the_relu_backward_into_its_own(DType dtype)
    {
        // Rows of 36 and 9 values per image and channel (one more and one less than a vector of floats on every path)
        // and the features' batch norm, one value per row.
        var names = TrainCapturedAgainstEager("conv4k3p1-bn-relu-pool2-conv6k3p1-bn-relu-pool2-flatten-fc8-bn-relu-fc4", dtype);
        Assert.Equal(3, names.Count(n => n == "BatchNormFunction.Apply with Tensor.RawUnary<ReluOperator> in its epilogue"));
        Assert.Equal(3, names.Count(n => n.StartsWith("BatchNormFunction.Backward masking its gradient as ReluFunction.Mask did", StringComparison.Ordinal)));
        Assert.DoesNotContain(names, n => n.StartsWith("Tensor.RawUnary<ReluOperator>", StringComparison.Ordinal) || n.StartsWith("ReluFunction.Mask", StringComparison.Ordinal));
    }
}
