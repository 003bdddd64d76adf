using System.Text.RegularExpressions;
using Nabla.Initialization;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>One word of the architecture language (<see cref="Architecture"/>), declared by its layer beside the layer's
/// own code as a static property of this type: its syntax, and how it plans the layer from the shape before it.</summary>
/// <remarks>Architecture finds every such property of the library's modules, so a new layer adds its word in its own
/// file. A token must match exactly one word: two that both match are refused as ambiguous.</remarks>
internal sealed class ArchitectureToken
{
    private readonly Regex _pattern;
    private readonly Func<Match, LayerPlanning, LayerPlan> _plan;

    /// <param name="syntax">The word as the unknown-layer message lists it, e.g. <c>fc&lt;N&gt;</c>.</param>
    /// <param name="pattern">The whole token, lower case, e.g. <c>^(?:fc|linear)(?&lt;n&gt;\d+)$</c>.</param>
    /// <param name="plan">The layer for a matching token, given the shape of one example before it; throws
    /// (<see cref="LayerPlanning.Error"/>) when the token is malformed or does not fit the shape.</param>
    public ArchitectureToken(string syntax, string pattern, Func<Match, LayerPlanning, LayerPlan> plan)
    {
        Syntax = syntax;
        _pattern = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);
        _plan = plan;
    }

    /// <summary>The word as the unknown-layer message lists it.</summary>
    public string Syntax { get; }

    /// <summary>Whether <paramref name="token"/> (lower case) is this word.</summary>
    public bool Matches(string token) => _pattern.IsMatch(token);

    /// <summary>The layer <paramref name="token"/> describes, which must be this word.</summary>
    public LayerPlan Plan(string token, LayerPlanning context) => _plan(_pattern.Match(token), context);

    /// <summary>A word without parameters (any of <paramref name="words"/>, the first listed in messages) for a layer
    /// that keeps the shape and holds no state: an activation.</summary>
    public static ArchitectureToken Elementwise(Func<Module> create, params string[] words) =>
        new(words[0], $"^(?:{string.Join('|', words.Select(Regex.Escape))})$", (_, context) => new LayerPlan((_, _, _) => create(), context.Shape, 0));
}

/// <summary>A planned layer: how to make it (from the network's generator, its dtype and its weight initialiser, null
/// for each layer's default), the shape of one example after it, and how many values its state holds (parameters and
/// buffers, for the size check made before anything is allocated).</summary>
internal sealed record LayerPlan(Func<Random, DType, Initializer?, Module> Create, int[] Shape, long State);
