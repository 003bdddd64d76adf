using Nabla.Data;

namespace Nabla.Fuzz.Engine;

/// <summary>One reader under fuzzing: its seeds, how its inputs are mutated, and how one input is run.</summary>
internal abstract class FuzzTarget
{
    /// <summary>The name on the command line and the crash folder's name.</summary>
    public abstract string Name { get; }

    /// <summary>One line for <c>list</c>.</summary>
    public abstract string Description { get; }

    /// <summary>The name the target gives the reader for its input; every rejection's message must contain it.</summary>
    public abstract string FileName { get; }

    /// <summary>Valid inputs to mutate, generated in code (deterministic).</summary>
    public abstract IReadOnlyList<byte[]> Seeds();

    /// <summary>Whether the input carries a checksum of its contents, so that almost every mutant is refused by it
    /// and a short campaign may accept none (the seeds show the accepting path).</summary>
    public virtual bool SealedByChecksum => false;

    /// <summary>Binary, or text that gets token-aware mutations too (JSON, CSV, architecture strings).</summary>
    public virtual InputStyle Style => InputStyle.Binary;

    /// <summary>Words and byte strings that mean something to the reader: magic numbers, keys, dtypes, layer names.</summary>
    public virtual IReadOnlyList<byte[]> Dictionary => [];

    /// <summary>Runs the reader on <paramref name="input"/>; returns normally when it accepts the input, throws the
    /// documented exception when it rejects it. Any other exception, or a broken invariant of an accepted result
    /// (<see cref="InvariantException"/>), is a crash.</summary>
    public abstract void Run(byte[] input);

    /// <summary>Whether <paramref name="e"/> is the reader's documented rejection (by default <see cref="DataFormatException"/>, exactly).</summary>
    public virtual bool IsRejection(Exception e) => e.GetType() == typeof(DataFormatException);

    /// <summary>A mutant of <paramref name="parent"/>; targets whose input has parts (model: description and weights) override it.</summary>
    public virtual byte[] Mutate(byte[] parent, Mutator mutator) => mutator.Mutate(parent, Style, Dictionary);
}

/// <summary>How a target's inputs are mutated.</summary>
internal enum InputStyle
{
    /// <summary>Bytes: bit flips, integers, chunks, splices.</summary>
    Binary,

    /// <summary>Text: the binary mutations plus token mutations (numbers, words, structure characters).</summary>
    Text,
}

/// <summary>An accepted input gave a result that breaks what the reader promises (a wrong length, a bad value).</summary>
internal sealed class InvariantException(string message) : Exception(message);
