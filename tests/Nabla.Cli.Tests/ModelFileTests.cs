using Nabla.NN;
using Nabla.Serialization;
using Nabla.Testing;

namespace Nabla.Cli.Tests;

/// <summary>What a model folder's files say is the file's responsibility: its errors name the file and exit 1, never
/// as a mistake in the command line (exit 2).</summary>
public sealed class ModelFileTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void An_unknown_dataset_in_model_json_is_a_model_file_error_naming_the_file_not_a_dataset_usage_error()
    {
        var dir = _files.PathOf("model");
        ModelStore.Save(dir, new Mlp(new MlpSpec(64, [4], 10), seed: 0), dataset: "mnist\u001b]0;pwned\u0007");
        var result = NablaProcess.Run(_files.Root, "eval", "--model", dir);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            $"nabla: error: {Path.Combine(dir, ModelStore.DescriptionFile)}: \"dataset\" is 'mnist\\u001B]0;pwned\\u0007', not a dataset eval can load (digits or fashion-mnist; a CSV model records its columns in \"features\")",
            result.Error.TrimEnd());
    }

    [Fact]
    public void A_dataset_given_on_the_command_line_is_still_a_usage_error()
    {
        var dir = _files.PathOf("model");
        ModelStore.Save(dir, new Mlp(new MlpSpec(64, [4], 10), seed: 0), dataset: "digits");
        var result = NablaProcess.Run(_files.Root, "eval", "--model", dir, "--dataset", "mnist");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--dataset: unknown dataset 'mnist'", result.Error, StringComparison.Ordinal);
    }
}
