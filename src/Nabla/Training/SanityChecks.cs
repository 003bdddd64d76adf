using System.Globalization;
using System.Text;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>The lecture's checks before a long training run, each of which catches a class of bugs cheaply.</summary>
/// <remarks>
/// <list type="number">
/// <item>The initial loss: with small random weights every class is about equally likely, so the softmax loss starts
/// near ln C (2.30 for 10 classes). Far from it means a bad initialisation or a wrong loss.</item>
/// <item>Overfitting a tiny subset: a network that cannot reach 100% training accuracy on 20 examples has a bug in
/// its gradients or its update.</item>
/// <item>Per layer, after one step: the gradient norm, and the update-to-weight ratio ‖ΔW‖/‖W‖, which should be
/// around 10⁻³; far above, the learning rate is too high, far below, too low.</item>
/// </list>
/// Each check runs on fresh networks from <c>createModel</c>, so the network to be trained is not touched.
/// </remarks>
public sealed class SanityChecks
{
    private SanityChecks(double initialLoss, double expectedLoss, int subsetSize, double subsetAccuracy, int subsetSteps, IReadOnlyList<LayerUpdate> layers)
    {
        (InitialLoss, ExpectedInitialLoss, SubsetSize, SubsetAccuracy, SubsetSteps, Layers) = (initialLoss, expectedLoss, subsetSize, subsetAccuracy, subsetSteps, layers);
    }

    /// <summary>The loss of the untrained network on a batch.</summary>
    public double InitialLoss { get; }

    /// <summary>ln C, what the softmax loss should start near.</summary>
    public double ExpectedInitialLoss { get; }

    /// <summary>Whether the initial loss is within a factor of 1.5 of ln C (cross-entropy only; true for other losses).</summary>
    public bool InitialLossPlausible { get; private init; }

    /// <summary>How many examples the overfitting check used.</summary>
    public int SubsetSize { get; }

    /// <summary>The training accuracy reached on them.</summary>
    public double SubsetAccuracy { get; }

    /// <summary>The steps it took (or the limit, if 100% was not reached).</summary>
    public int SubsetSteps { get; }

    /// <summary>Per parameter, the gradient norm and update-to-weight ratio after one step on a batch.</summary>
    public IReadOnlyList<LayerUpdate> Layers { get; }

    /// <summary>Whether every check passed.</summary>
    public bool Passed => InitialLossPlausible && SubsetAccuracy == 1;

    /// <summary>One parameter's figures after one step.</summary>
    public sealed record LayerUpdate(string Parameter, double GradientNorm, double UpdateRatio);

    /// <summary>Runs the three checks on networks from <paramref name="createModel"/> trained with
    /// <paramref name="loss"/> and optimisers from <paramref name="createOptimizer"/>, on examples from
    /// <paramref name="data"/>.</summary>
    public static SanityChecks Run(Func<Module> createModel, Loss loss, Func<Module, Optimizer> createOptimizer, Dataset data, int batchSize = 64, int subsetSize = 20, int maxSubsetSteps = 500)
    {
        ArgumentNullException.ThrowIfNull(createModel);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(createOptimizer);
        ArgumentNullException.ThrowIfNull(data);
        var batch = new DataLoader(data, Math.Min(batchSize, data.Count), shuffle: true, seed: 0).Epoch().First();

        // 1. The initial loss.
        var model = createModel();
        double initial;
        using (Autograd.GradMode.NoGrad()) initial = loss.Compute(model.Forward(batch.Features), batch.Labels).Item();
        double expected = Math.Log(data.Classes);
        bool plausible = loss is not CrossEntropyLoss || (initial > expected / 1.5 && initial < expected * 1.5);

        // 2. Overfit a tiny subset: full-batch steps until every example is right.
        var subset = data.Subset(Enumerable.Range(0, Math.Min(subsetSize, data.Count)).ToArray(), $"{data.Name} (first {subsetSize})");
        var small = createModel();
        var trainer = new Trainer(small, loss, createOptimizer(small));
        var whole = new Batch(subset.Features, subset.Labels);
        int steps = 0;
        double accuracy = 0;
        while (steps < maxSubsetSteps)
        {
            steps++;
            accuracy = (double)trainer.Step(whole).Correct / subset.Count;
            if (accuracy == 1) break;
        }

        // Step accuracy is measured before its update: confirm on the final weights.
        accuracy = Evaluator.Evaluate(small, subset).Accuracy;

        // 3. One step on a batch: gradient norms and update-to-weight ratios.
        var probe = createModel();
        var before = probe.NamedParameters().ToDictionary(p => p.Key, p => p.Value.ToDoubleArray());
        var probeTrainer = new Trainer(probe, loss, createOptimizer(probe));
        probeTrainer.Step(batch);
        var layers = new List<LayerUpdate>();
        foreach (var (name, p) in probe.NamedParameters())
        {
            var after = p.ToDoubleArray();
            var old = before[name];
            double weightNorm = Math.Sqrt(old.Sum(v => v * v)), updateNorm = Math.Sqrt(after.Zip(old, (a, b) => (a - b) * (a - b)).Sum());
            double gradientNorm = p.Grad is null ? 0 : Math.Sqrt(p.Grad.ToDoubleArray().Sum(v => v * v));
            layers.Add(new LayerUpdate(name, gradientNorm, weightNorm == 0 ? double.NaN : updateNorm / weightNorm));
        }

        return new SanityChecks(initial, expected, subset.Count, accuracy, steps, layers) { InitialLossPlausible = plausible };
    }

    /// <summary>The report: one line per check, then the per-parameter table.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(c, $"initial loss {InitialLoss:F4} (ln C = {ExpectedInitialLoss:F4}): {(InitialLossPlausible ? "OK" : "SUSPICIOUS: check the initialisation and the loss")}"));
        sb.AppendLine(string.Create(c, $"overfit {SubsetSize} examples: {100 * SubsetAccuracy:F1}% training accuracy after {SubsetSteps} steps: {(SubsetAccuracy == 1 ? "OK" : "FAILED: gradients or updates are wrong, or the learning rate is far off")}"));
        sb.AppendLine("after one step:  parameter                 gradient norm   update/weight (about 1e-3 is healthy)");
        foreach (var l in Layers) sb.AppendLine(string.Create(c, $"                 {l.Parameter,-25} {l.GradientNorm,13:E2}   {l.UpdateRatio,13:E2}"));
        sb.Append(Passed ? "sanity checks passed" : "sanity checks FAILED");
        return sb.ToString();
    }
}
