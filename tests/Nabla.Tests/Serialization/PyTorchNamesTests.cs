using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Tests.Serialization;

/// <summary>State-dict names and shapes equal PyTorch's for the same architecture. The expected lists are PyTorch's
/// own <c>state_dict()</c> (torch 1.13) of the modules named in each test, as printed by
/// tests/Fixtures/safetensors/torch_round_trip.py; PyTorch's <c>num_batches_tracked</c> is the one entry Nabla does not
/// hold (loading accepts and ignores it).</summary>
public sealed class PyTorchNamesTests
{
    private static void AssertState(Module model, (string Name, int[] Shape)[] torch)
    {
        var expected = torch.Where(t => !t.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToArray();
        var state = model.NamedState().ToArray();
        Assert.Equal(expected.Select(t => t.Name).Order(StringComparer.Ordinal), state.Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var (name, shape) in expected) Assert.Equal(new Shape(shape), state.Single(p => p.Key == name).Value.Shape);
    }

    [Fact]
    public void An_mlp_is_named_like_a_module_holding_an_nn_sequential_as_self_layers_with_the_activations_counted()
    {
        // class Mlp(nn.Module): self.layers = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))
        AssertState(new Mlp(new MlpSpec(4, [16, 8], 3)),
        [
            ("layers.0.weight", [16, 4]), ("layers.0.bias", [16]), ("layers.2.weight", [8, 16]), ("layers.2.bias", [8]),
            ("layers.4.weight", [3, 8]), ("layers.4.bias", [3]),
        ]);
    }

    [Fact]
    public void A_described_network_is_named_like_the_equivalent_nn_sequential_led_by_nn_unflatten()
    {
        // nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        //     nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
        var (w4, _) = Architecture.Build("conv32k3p1-relu-pool2-conv64k3p1-relu-pool2-flatten-fc128-relu-fc10", [1, 28, 28], new Random(0), flatInput: true);
        AssertState(w4,
        [
            ("1.weight", [32, 1, 3, 3]), ("1.bias", [32]), ("4.weight", [64, 32, 3, 3]), ("4.bias", [64]),
            ("8.weight", [128, 3136]), ("8.bias", [128]), ("10.weight", [10, 128]), ("10.bias", [10]),
        ]);
    }

    [Fact]
    public void Batch_norm_groups_dropout_and_global_pooling_keep_the_correspondence()
    {
        // nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        //     nn.Conv2d(4, 6, 3, padding=1, groups=2), nn.ReLU(), nn.Flatten(), nn.Linear(96, 10), nn.BatchNorm1d(10), nn.Tanh(),
        //     nn.Dropout(0.5), nn.Linear(10, 3))
        var (a, _) = Architecture.Build("conv4k3p1-bn-relu-pool2-conv6k3p1g2-relu-flatten-fc10-bn-tanh-dropout0.5-fc3", [1, 8, 8], new Random(0));
        AssertState(a,
        [
            ("1.weight", [4, 1, 3, 3]), ("1.bias", [4]), ("2.weight", [4]), ("2.bias", [4]), ("2.running_mean", [4]), ("2.running_var", [4]),
            ("2.num_batches_tracked", []), ("5.weight", [6, 2, 3, 3]), ("5.bias", [6]), ("8.weight", [10, 96]), ("8.bias", [10]),
            ("9.weight", [10]), ("9.bias", [10]), ("9.running_mean", [10]), ("9.running_var", [10]), ("9.num_batches_tracked", []),
            ("12.weight", [3, 10]), ("12.bias", [3]),
        ]);

        // gap is one module, as nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()) is one entry of the outer nn.Sequential:
        // nn.Sequential(nn.Unflatten(1, (2, 7, 7)), nn.Conv2d(2, 4, 3, stride=2), nn.GELU(), nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), nn.Linear(4, 3))
        var (b, _) = Architecture.Build("conv4k3s2-gelu-gap-fc3", [2, 7, 7], new Random(0));
        AssertState(b, [("1.weight", [4, 2, 3, 3]), ("1.bias", [4]), ("4.weight", [3, 4]), ("4.bias", [3])]);

        // Without flatInput there is no Unflatten, and every index is one lower, as in torch without nn.Unflatten.
        var (c, _) = Architecture.Build("conv4k3s2-gelu-gap-fc3", [2, 7, 7], new Random(0), flatInput: false);
        AssertState(c, [("0.weight", [4, 2, 3, 3]), ("0.bias", [4]), ("3.weight", [3, 4]), ("3.bias", [3])]);
    }

    [Fact]
    public void Loading_accepts_and_ignores_num_batches_tracked_but_no_other_unknown_name()
    {
        var (model, _) = Architecture.Build("fc3-bn-relu-fc2", [4], new Random(0));
        var state = model.StateDict().ToDictionary(p => p.Key, p => p.Value);
        state["1.running_mean"] = Tensor.FromArray([0.5f, -0.5f, 1f]);
        state["1.num_batches_tracked"] = Tensor.FromArray([12f], Shape.Scalar);
        model.LoadStateDict(state);
        Assert.Equal([0.5f, -0.5f, 1f], model.NamedBuffers().Single(p => p.Key == "1.running_mean").Value.ToFloatArray());

        state["0.num_batches_tracked"] = Tensor.FromArray([1f], Shape.Scalar);
        var e = Assert.Throws<ArgumentException>(() => model.LoadStateDict(state));
        Assert.Contains("0.num_batches_tracked", e.Message, StringComparison.Ordinal);
    }
}
