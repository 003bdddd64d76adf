using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>The start of a data-parallel run: every rank must train the same model with the same options on the same
/// data, or the replicas would silently train different things (a rank started with another seed shuffles differently;
/// one that read another file sums gradients of other examples). Each rank hashes what it was given; rank 0's hashes are
/// broadcast, and every rank learns which ranks differ, so that all of them refuse to start, with the same words.</summary>
internal static class RankAgreement
{
    /// <summary>Throws on every rank unless all ranks hold the same data and options; then makes every rank's model
    /// state (parameters and buffers) rank 0's, bit for bit.</summary>
    /// <exception cref="RankSetupException">A rank's data or options differ from rank 0's; the message names the ranks.</exception>
    public static void Check(IProcessGroup group, Trainer trainer, Dataset train, Dataset? validation, TrainingOptions options, Checkpoint? resumeFrom)
    {
        // This rank's two hashes, and rank 0's in one broadcast.
        byte[] mine = [.. DataHash(train, validation), .. SetupHash(trainer, options, resumeFrom)], root = (byte[])mine.Clone();
        group.Broadcast(root, root: 0);
        int half = mine.Length / 2;

        // Slot r says whether rank r's data differ, slot N + r whether its options do: summed, every rank sees all.
        var differs = new double[2 * group.Size];
        differs[group.Rank] = mine.AsSpan(0, half).SequenceEqual(root.AsSpan(0, half)) ? 0 : 1;
        differs[group.Size + group.Rank] = mine.AsSpan(half).SequenceEqual(root.AsSpan(half)) ? 0 : 1;
        group.SumInRankOrder(differs);
        var dataRanks = Enumerable.Range(0, group.Size).Where(r => differs[r] != 0).ToList();
        var setupRanks = Enumerable.Range(0, group.Size).Where(r => differs[group.Size + r] != 0).ToList();
        if (dataRanks.Count > 0 || setupRanks.Count > 0)
        {
            var what = new List<string>();
            if (dataRanks.Count > 0) what.Add($"the data of rank(s) {string.Join(", ", dataRanks)}");
            if (setupRanks.Count > 0) what.Add($"the model or options of rank(s) {string.Join(", ", setupRanks)}");
            throw new RankSetupException(
                $"{string.Join(" and ", what)} differ from rank 0's: every rank of a data-parallel run must be started with the same options, data and checkpoint");
        }

        foreach (var (_, tensor) in trainer.Model.NamedState()) Broadcast(group, tensor);
    }

    /// <summary>Rank 0's values of <paramref name="tensor"/> on every rank.</summary>
    public static void Broadcast(IProcessGroup group, Tensor tensor)
    {
        if (tensor.DType == DType.Float32) group.Broadcast(MemoryMarshal.AsBytes(tensor.AsSpan<float>()), root: 0);
        else group.Broadcast(MemoryMarshal.AsBytes(tensor.AsSpan<double>()), root: 0);
    }

    private static byte[] DataHash(Dataset train, Dataset? validation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var set in validation is null ? [train] : new[] { train, validation })
        {
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{set.Count} {set.Features.Shape} {set.Features.DType} {set.Classes};")));
            if (set.Features.DType == DType.Float32) hash.AppendData(MemoryMarshal.AsBytes(set.Features.AsSpan<float>()));
            else hash.AppendData(MemoryMarshal.AsBytes(set.Features.AsSpan<double>()));
            hash.AppendData(MemoryMarshal.AsBytes(set.Labels.AsSpan()));
        }

        return hash.GetHashAndReset();
    }

    /// <summary>What the ranks must share besides the data: the training options (and, from the command line, every
    /// option as given: <see cref="CheckpointOptions.Settings"/>), the model, the loss, the regularisers, the
    /// clipping, the optimiser with every public setting it has (its momentum, its betas), and the checkpoint resumed.</summary>
    private static byte[] SetupHash(Trainer trainer, TrainingOptions options, Checkpoint? resumeFrom)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{options.Epochs} {options.BatchSize} {options.Seed} {options.Shuffle} {options.Schedule?.Name} {options.Checkpoints?.EverySteps} {options.Checkpoints?.Settings}|");
        text.Append(CultureInfo.InvariantCulture, $"{trainer.Model.Describe()} {trainer.Model.ParameterCount()}|{trainer.Loss.GetType().Name} {trainer.Loss.Name}|");
        foreach (var r in trainer.Regularizers) text.Append(CultureInfo.InvariantCulture, $"{r.GetType().Name} {r.Strength:R} {r.IncludeBiases};");
        text.Append(CultureInfo.InvariantCulture, $"|{trainer.ClipGradientNorm:R} {trainer.SyncBatchNorm}|{trainer.Optimizer.GetType().Name}");
        foreach (var property in trainer.Optimizer.GetType().GetProperties().Where(p => p.Name != nameof(Optimizer.StepCount) && p.PropertyType.IsPrimitive).OrderBy(p => p.Name, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $" {property.Name}={property.GetValue(trainer.Optimizer)}");
        text.Append(CultureInfo.InvariantCulture, $"|{resumeFrom?.Step} {resumeFrom?.Run.Id}");
        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
