namespace Nabla.Fuzz.Engine;

/// <summary>A reader's path entry point, the one <c>nabla train</c>, <c>eval</c> and <c>predict</c> use: each input is
/// written to a real file (or a model's folder) and read back through the reader's <see cref="FileStream"/> path.
/// Seeds, mutations, dictionary and what counts as a rejection are those of the in-memory target.</summary>
/// <param name="inMemory">The in-memory target of the same reader.</param>
/// <param name="fileName">The file's (or folder's) name; rejections must name it.</param>
/// <param name="read">Reads the file at the path it is given, checking what the reader promises of an accepted result
/// (throwing <see cref="InvariantException"/> otherwise).</param>
/// <param name="write">Writes an input to the path (default: the bytes as one file).</param>
internal sealed class FileTarget(FuzzTarget inMemory, string fileName, Action<string> read, Action<byte[], string>? write = null) : FuzzTarget
{
    // One folder per target and process, emptied after every input: runs in parallel never share a file.
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"nabla-fuzz-{inMemory.Name}-file-{Environment.ProcessId}");

    public override string Name => inMemory.Name + "-file";

    public override string Description => $"{inMemory.Name}, written to a file and read through the path API";

    public override string FileName => Path.Combine(_folder, fileName);

    public override InputStyle Style => inMemory.Style;

    public override IReadOnlyList<byte[]> Dictionary => inMemory.Dictionary;

    public override IReadOnlyList<byte[]> Seeds() => inMemory.Seeds();

    public override byte[] Mutate(byte[] parent, Mutator mutator) => inMemory.Mutate(parent, mutator);

    public override bool IsRejection(Exception e) => inMemory.IsRejection(e);

    public override bool SealedByChecksum => inMemory.SealedByChecksum;

    public override void Run(byte[] input)
    {
        Directory.CreateDirectory(_folder);
        try
        {
            if (write is null) File.WriteAllBytes(FileName, input);
            else write(input, FileName);
            read(FileName);
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Reads the file (or folder) at <paramref name="path"/> through the path API once, as <see cref="Run"/>
    /// does after writing an input: for <c>nabla-fuzz large</c>, whose inputs are generated straight to files.</summary>
    public void ReadFile(string path) => read(path);
}
