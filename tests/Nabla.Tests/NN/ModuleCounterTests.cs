using Nabla.NN;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Tests.NN;

/// <summary>Counters: a module's state that is not a weight (dropout's stream position), named like parameters,
/// loaded strictly, and kept out of the state dict that PyTorch and safetensors share.</summary>
public sealed class ModuleCounterTests
{
    [Fact]
    public void A_dropout_layers_draws_are_a_named_counter_outside_the_state_dict()
    {
        var model = new Sequential(new Linear(4, 3, new Random(0)), new Dropout(0.5, seed: 1), new Linear(3, 2, new Random(1)));
        Assert.Equal([new KeyValuePair<string, long>("1.draws", 0)], model.NamedCounters());
        model.Forward(Tensor.Ones([5, 4]));
        Assert.Equal(15, model.NamedCounters().Single().Value);   // one draw per value of the (5, 3) hidden batch
        Assert.DoesNotContain(model.StateDict().Keys, k => k.Contains("draws", StringComparison.Ordinal));
    }

    [Fact]
    public void Loading_counters_sets_the_stream_so_the_next_mask_repeats()
    {
        var model = new Sequential(new Dropout(0.5, seed: 3));
        var first = model.Forward(Tensor.Ones([2, 8])).ToFloatArray();
        model.LoadCounters([new("0.draws", 0)]);
        Assert.Equal(first, model.Forward(Tensor.Ones([2, 8])).ToFloatArray());
    }

    [Fact]
    public void Loading_an_unknown_or_negative_counter_is_refused_and_changes_nothing()
    {
        var model = new Sequential(new Dropout(0.5, seed: 3));
        model.Forward(Tensor.Ones([2, 8]));
        var unknown = Assert.Throws<ArgumentException>(() => model.LoadCounters([new("0.draws", 1), new("1.draws", 2)]));
        Assert.Contains("unexpected counter '1.draws'", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.LoadCounters([new("0.draws", -1)]));
        Assert.Equal(16, model.NamedCounters().Single().Value);
    }
}
