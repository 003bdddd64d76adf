using System.Globalization;
using System.Text;
using Nabla.Fuzz.Engine;
using Nabla.NN;

namespace Nabla.Fuzz.Targets;

/// <summary>Architecture descriptions (<see cref="Architecture.Check"/>, then <see cref="Architecture.Build"/> when
/// the network is small): an input is UTF-8 text "C,H,W|layers" or "F|layers" (no '|', or an example shape that does
/// not parse as integers: the text is all layers, for examples of 1×8×8). The documented rejection is an
/// <see cref="ArgumentException"/> (exactly that type: a subclass such as ArgumentOutOfRangeException would come from
/// a layer's constructor, past the parser's checks) whose message names the architecture.</summary>
internal sealed class ArchitectureTarget : FuzzTarget
{
    /// <summary>Networks up to this many values are built, to check that the plan matches what is built.</summary>
    private const long BuildLimit = 1 << 20;

    public override string Name => "architecture";

    public override string Description => "Architecture.Check and Architecture.Build of \"C,H,W|layers\" text";

    public override string FileName => "architecture";

    public override InputStyle Style => InputStyle.Text;

    public override IReadOnlyList<byte[]> Dictionary { get; } = Words.Of(
        "conv", "k", "s", "p", "d", "g", "pool", "maxpool", "avgpool", "gap", "flatten", "fc", "linear", "bn", "dropout", "relu", "tanh",
        "sigmoid", "leakyrelu", "leaky-relu", "elu", "silu", "swish", "softplus", "gelu", "conv8k3p1", "pool2", "fc10", "dropout0.25", "-", "--", "|", ",");

    public override IReadOnlyList<byte[]> Seeds() => Words.Of(
        "1,28,28|conv32k3p1-relu-pool2-conv64k3p1-relu-pool2-flatten-fc128-relu-fc10",
        "3,16,16|conv8k3s2p1d1g1-bn-relu-avgpool2s1-gap-fc10",
        "4|fc32-tanh-dropout0.25-fc3",
        "1,8,8|conv4k3p1-relu-maxpool2-flatten-linear10",
        "5|bn-leakyrelu-elu-silu-softplus-gelu-sigmoid-fc2",
        "3,12,12|conv6k5g3-swish-pool3s2-flatten-linear7",
        "2,9,9|conv4k3p2d2g2-leakyrelu-pool2s3-flatten-fc1");

    public override bool IsRejection(Exception e) => e.GetType() == typeof(ArgumentException);

    public override void Run(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        int bar = text.IndexOf('|', StringComparison.Ordinal);
        int[] shape = [1, 8, 8];
        string layers = text;
        if (bar >= 0)
        {
            var sizes = text[..bar].Split(',');
            var parsed = new int[sizes.Length];
            bool ok = sizes.Length <= 8;
            for (int i = 0; ok && i < sizes.Length; i++) ok = int.TryParse(sizes[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out parsed[i]);
            if (ok)
            {
                shape = parsed;
                layers = text[(bar + 1)..];
            }
        }

        var (output, state) = Architecture.Check(layers, shape);
        if (state < 0 || state > Architecture.MaxStateElements || output.Length is not (1 or 3) || output.Any(d => d < 1)
            || output.Aggregate(1L, (a, d) => a * d) > Architecture.MaxExampleElements)
            throw new InvariantException($"output ({string.Join(", ", output)}) and {state} values");
        if (state > BuildLimit) return;

        var (model, built) = Architecture.Build(layers, shape, new Random(1));
        long values = model.NamedState().Sum(p => (long)p.Value.Count);
        if (values != state || !built.SequenceEqual(output))
            throw new InvariantException($"planned ({string.Join(", ", output)}) with {state} values, built ({string.Join(", ", built)}) with {values}");
    }
}
