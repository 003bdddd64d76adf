using System.Text.RegularExpressions;

namespace Nabla.Tests.Layering;

/// <summary>The layering of DESIGN.md, enforced: each folder of src/Nabla may use its own floor and the floors below,
/// never one above. Training sits above Serialization: a run saves its checkpoints with the formats Serialization writes
/// (safetensors, atomic files), and no format knows about training, so the two no longer import each other.
/// <code>
/// Kernels, Threading, the root  &lt;-  Backends  &lt;-  Tensors + Autograd + Engine  &lt;-  NN / Losses / Optim / Initialization /
/// GradientChecking  &lt;-  Data / Serialization  &lt;-  Training
/// </code>
/// A folder's references are read from its source: <c>using Nabla.X</c>, and any <c>Nabla.X.</c> written out in code or
/// in a doc comment's cref (plain comments do not count). Code in a namespace reaches its parents' types without a
/// using, but those are on its own floor or below, so the scan sees every reference that could cross a floor.</summary>
public sealed partial class LayeringTests
{
    /// <summary>Each folder's floor, from the bottom. <c>Nabla</c> is the root namespace (Parallelism, AvailableMemory).
    /// LinearAlgebra is the public face of the GEMM kernels.</summary>
    private static readonly Dictionary<string, int> Floors = new(StringComparer.Ordinal)
    {
        ["Nabla"] = 0, ["Kernels"] = 0, ["Threading"] = 0, ["LinearAlgebra"] = 0,
        ["Backends"] = 1,
        ["Tensors"] = 2, ["Autograd"] = 2, ["Engine"] = 2,
        ["NN"] = 3, ["Losses"] = 3, ["Optim"] = 3, ["Initialization"] = 3, ["GradientChecking"] = 3,
        ["Data"] = 4, ["Serialization"] = 4,
        ["Training"] = 5,
    };

    [Fact]
    public void No_folder_of_the_library_uses_a_floor_above_its_own()
    {
        var references = References();
        var breaches = references.Where(r => Breaks(r.From, r.To)).Select(r => (r.From, r.To)).Distinct()
            .Select(b => $"{b.From} → {b.To} ({string.Join(", ", references.Where(r => r.From == b.From && r.To == b.To).Select(r => r.File).Distinct().Take(3))})")
            .ToList();
        Assert.True(breaches.Count == 0, "references against DESIGN.md's layering:\n" + string.Join('\n', breaches));
    }

    [Fact]
    public void The_scan_sees_usings_qualified_names_and_crefs_but_not_plain_comments()
    {
        const string code = """
            using Nabla.Tensors;
            // a plain comment that mentions Nabla.Training.Trainer
            /// <see cref="Nabla.Serialization.ModelStore"/>
            var x = new Nabla.Optim.Sgd(p, 0.1);
            """;
        Assert.Equal(["Optim", "Serialization", "Tensors"], NamespacesUsed(code).Order());
        Assert.True(Breaks("Kernels", "Tensors"));
        Assert.True(Breaks("Serialization", "Training"));
        Assert.False(Breaks("Training", "NN"));
        Assert.False(Breaks("NN", "NN"));
    }

    /// <summary>The backend seam, held: a tensor's raw array (<c>Buffer&lt;T&gt;()</c>) is reached only by the tensor itself
    /// and by the backends, so an op cannot compute on memory a GPU backend would not have on the host, and the dtype
    /// switch of the kernels stays in the backend's op table.</summary>
    [Fact]
    public void Raw_buffers_are_read_only_in_Tensors_and_Backends()
    {
        var library = Path.Combine(RepositoryFolders.Root(), "src", "Nabla");
        var offenders = Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(library, file))
            .Where(relative => relative.Split(Path.DirectorySeparatorChar)[0] is not ("Tensors" or "Backends" or "bin" or "obj"))
            .Where(relative => PlainComment().Replace(File.ReadAllText(Path.Combine(library, relative)), "").Contains("Buffer<", StringComparison.Ordinal))
            .ToList();
        Assert.True(offenders.Count == 0, "raw buffer access outside Tensors/ and Backends/ (launch a kernel of the backend's op table instead): " + string.Join(", ", offenders));
    }

    private static bool Breaks(string from, string to) => from != to && Floors[to] > Floors[from];

    private static List<(string From, string To, string File)> References()
    {
        var library = Path.Combine(RepositoryFolders.Root(), "src", "Nabla");
        var found = new List<(string, string, string)>();
        foreach (var file in Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(library, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts[0] is "bin" or "obj") continue;
            string folder = parts.Length == 1 ? "Nabla" : parts[0];
            Assert.True(Floors.ContainsKey(folder), $"src/Nabla/{folder} has no floor in {nameof(Floors)}: add it where DESIGN.md puts it");
            foreach (var used in NamespacesUsed(File.ReadAllText(file)))
            {
                if (Floors.ContainsKey(used)) found.Add((folder, used, relative));
            }
        }

        return found;
    }

    /// <summary>The second parts of the Nabla namespaces <paramref name="code"/> names, plain comments left out.</summary>
    private static HashSet<string> NamespacesUsed(string code)
    {
        var text = PlainComment().Replace(code, "");
        return [.. NablaName().Matches(text).Select(m => m.Groups[1].Value)];
    }

    [GeneratedRegex(@"(?<!/)//(?!/).*$", RegexOptions.Multiline)]
    private static partial Regex PlainComment();

    [GeneratedRegex(@"\bNabla\.([A-Z][A-Za-z]*)\b")]
    private static partial Regex NablaName();
}
