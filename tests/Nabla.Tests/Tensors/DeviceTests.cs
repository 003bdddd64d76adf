using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;

namespace Nabla.Tests.Tensors;

/// <summary>Without a device backend started in the process (the core library starts none), moving a tensor or a
/// module to a GPU is one clear error, and moving to the CPU is a no-op that keeps the tensor.</summary>
public sealed class DeviceTests
{
    [Fact]
    public void Moving_to_a_GPU_without_its_backend_is_one_clear_error_and_leaves_the_tensor_where_it_was()
    {
        var x = Tensor.FromArray(new float[] { 1, 2, 3 });
        var error = Assert.Throws<InvalidOperationException>(() => x.To(Device.Cuda));
        Assert.Equal("no backend for cuda has been started in this process (Nabla.Cuda starts the GPU's)", error.Message);
        Assert.Equal(Device.Cpu, x.Device);
        Assert.Same(x, x.To(Device.Cpu));

        var model = new Mlp(new MlpSpec(3, [4], 2, Activation.Relu), seed: 1);
        Assert.Throws<InvalidOperationException>(() => model.To(Device.Cuda));
        Assert.All(model.Parameters(), p => Assert.Equal(Device.Cpu, p.Device));
        Assert.Equal(new float[] { 1, 2, 3 }, x.ToFloatArray());
    }
}
