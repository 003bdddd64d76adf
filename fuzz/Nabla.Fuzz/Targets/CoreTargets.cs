using Nabla.Fuzz.Engine;

namespace Nabla.Fuzz.Targets;

/// <summary>The targets of the managed readers, in memory and through files (the image targets, which need SkiaSharp,
/// are added by the program).</summary>
/// <remarks>To fuzz another reader (another format, say), write a <see cref="FuzzTarget"/>: its seeds, its
/// <see cref="FuzzTarget.Run"/> calling the reader on in-memory bytes, and its dictionary; then add it here. The
/// runner, the crash folder, the command line and the bounded test in tests/Nabla.Tests/Fuzzing pick it up.</remarks>
internal static class CoreTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new IdxTarget(gzip: false),
        new IdxTarget(gzip: true),
        new CsvTarget(),
        new SafeTensorsTarget(),
        new ModelTarget(),
        new ArchitectureTarget(),
        new CheckpointTarget(),
        .. FileTargets.All,
    ];
}
