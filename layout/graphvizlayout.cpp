#include "graphvizlayout.h"

#include "dotwriter.h"
#include "edgerouter.h"
#include "incrementalplacement.h"

#include <QLoggingCategory>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <cmath>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace tracemap {

namespace {

Q_LOGGING_CATEGORY(lcLayout, "tracemap.layout", QtWarningMsg)

// Graphviz 2.43 keeps the DOT parser's state, the error handler and much of the layout state in globals.
std::mutex s_graphvizMutex;
QString* s_messages = nullptr; // guarded by s_graphvizMutex

int collectMessage(char* message)
{
    if (s_messages)
        *s_messages += QString::fromUtf8(message);
    return 0;
}

// Routes Graphviz's messages into `messages` instead of stderr for the lifetime of the object.
class MessageCapture {
public:
    explicit MessageCapture(QString& messages)
        : m_previous(agseterrf(collectMessage))
    {
        s_messages = &messages;
        agreseterrors();
    }
    ~MessageCapture()
    {
        agseterrf(m_previous);
        s_messages = nullptr;
    }
    MessageCapture(const MessageCapture&) = delete;
    MessageCapture& operator=(const MessageCapture&) = delete;

private:
    agusererrf m_previous;
};

// The layout plugins, loaded once and handed to every context as builtins. With demand loading off, gvContext
// neither reads the plugin configuration (2.43 keeps that text allocated per context and never frees it) nor
// loads the pango text layout plugin, so label sizes come from Graphviz's built-in font metrics: the same on
// every machine, without fontconfig's start-up cost and leaks. Nullptr when the plugins are not where the build
// found them; callers then fall back to gvContext().
const lt_symlist_t* layoutPlugins()
{
    static const std::vector<lt_symlist_t> symbols = [] {
        std::vector<lt_symlist_t> list;
        const struct {
            const char* file;
            const char* symbol;
        } plugins[] = {
            { TRACEMAP_GRAPHVIZ_PLUGIN_DIR "/libgvplugin_dot_layout.so." TRACEMAP_GRAPHVIZ_PLUGIN_VERSION,
                "gvplugin_dot_layout_LTX_library" },
            { TRACEMAP_GRAPHVIZ_PLUGIN_DIR "/libgvplugin_neato_layout.so." TRACEMAP_GRAPHVIZ_PLUGIN_VERSION,
                "gvplugin_neato_layout_LTX_library" },
        };
        for (const auto& plugin : plugins) {
            // Never closed: Graphviz keeps pointers into the library for the life of the process.
            void* handle = dlopen(plugin.file, RTLD_NOW | RTLD_LOCAL);
            void* library = handle ? dlsym(handle, plugin.symbol) : nullptr;
            if (!library) {
                qCDebug(lcLayout) << "cannot load" << plugin.file << dlerror();
                return std::vector<lt_symlist_t>();
            }
            list.push_back({ plugin.symbol, library });
        }
        list.push_back({ nullptr, nullptr });
        return list;
    }();
    return symbols.empty() ? nullptr : symbols.data();
}

// The version of the Graphviz library, read from the first context made (under s_graphvizMutex): graphvizVersion()
// must not wait for a layout in progress, on the GUI thread (Help ▸ About).
QString& knownVersion()
{
    static QString version;
    return version;
}
std::mutex s_versionMutex;

GVC_t* newContext()
{
    const lt_symlist_t* plugins = layoutPlugins();
    GVC_t* context = plugins ? gvContextPlugins(plugins, 0) : gvContext();
    std::lock_guard lock(s_versionMutex);
    if (context && knownVersion().isEmpty())
        knownVersion() = QString::fromUtf8(gvcVersion(context));
    return context;
}

struct ContextDeleter {
    void operator()(GVC_t* context) const { gvFreeContext(context); }
};
struct GraphDeleter {
    void operator()(Agraph_t* graph) const { agclose(graph); }
};
using ContextPtr = std::unique_ptr<GVC_t, ContextDeleter>;
using GraphPtr = std::unique_ptr<Agraph_t, GraphDeleter>;

// Frees what gvLayout attached to the graph; harmless when the layout failed early.
class LayoutGuard {
public:
    LayoutGuard(GVC_t* context, Agraph_t* graph)
        : m_context(context)
        , m_graph(graph)
    {
    }
    ~LayoutGuard() { gvFreeLayout(m_context, m_graph); }
    LayoutGuard(const LayoutGuard&) = delete;
    LayoutGuard& operator=(const LayoutGuard&) = delete;

private:
    GVC_t* m_context;
    Agraph_t* m_graph;
};

QString failure(const QString& what, const QString& messages)
{
    const QString details = messages.trimmed();
    return details.isEmpty() ? what : what + QStringLiteral(": ") + details;
}

void appendLine(std::vector<QPointF>& path, QPointF from, QPointF to)
{
    if (path.empty())
        path.push_back(from);
    path.push_back(from);
    path.push_back(to);
    path.push_back(to);
}

QPointF pathMidpoint(const std::vector<QPointF>& path)
{
    if (path.size() < 4)
        return path.empty() ? QPointF() : path.front();
    const size_t segments = (path.size() - 1) / 3;
    const size_t s = (segments - 1) / 2 * 3;
    const double t = segments % 2 ? 0.5 : 1.0; // odd count: middle of the middle segment; even: the joint
    const double u = 1 - t;
    return u * u * u * path[s] + 3 * u * u * t * path[s + 1] + 3 * u * t * t * path[s + 2] + t * t * t * path[s + 3];
}

} // namespace

std::expected<TopologyGeometry, QString> GraphvizLayout::layout(const Topology& topology, const LayoutOptions& options)
{
    for (const Topology::Edge& edge : topology.edges) {
        if (edge.from >= topology.nodes.size() || edge.to >= topology.nodes.size())
            return std::unexpected(QStringLiteral("edge %1 → %2 names a node that does not exist (%3 nodes)")
                                       .arg(edge.from)
                                       .arg(edge.to)
                                       .arg(topology.nodes.size()));
    }
    const LayoutOptions::Engine engine = options.resolvedEngine(topology);
    return layoutDot(DotWriter::write(topology, options), LayoutOptions::engineName(engine), topology);
}

std::expected<TopologyGeometry, QString> GraphvizLayout::layoutDot(
    std::string_view dot, const char* engine, const Topology& topology)
{
    // Checked here because Graphviz 2.43 leaks the list of engines it prints for an unknown one.
    const auto known = LayoutOptions::engineFromName(QString::fromUtf8(engine));
    if (!known || *known == LayoutOptions::Engine::Automatic)
        return std::unexpected(QStringLiteral("unknown layout engine \"%1\"").arg(QString::fromUtf8(engine)));
    const std::string text(dot); // agmemread wants a terminating NUL
    std::lock_guard lock(s_graphvizMutex);
    QString messages;
    MessageCapture capture(messages);

    ContextPtr context(newContext());
    if (!context)
        return std::unexpected(QStringLiteral("could not create a Graphviz context"));
    GraphPtr graph(agmemread(text.c_str()));
    if (!graph)
        return std::unexpected(failure(QStringLiteral("Graphviz could not read the graph"), messages));
    if (agnnodes(graph.get()) != static_cast<int>(topology.nodes.size()))
        return std::unexpected(QStringLiteral("the graph has %1 nodes, the topology %2")
                                   .arg(agnnodes(graph.get()))
                                   .arg(topology.nodes.size()));

    LayoutGuard layoutGuard(context.get(), graph.get());
    if (gvLayout(context.get(), graph.get(), engine) != 0)
        return std::unexpected(
            failure(QStringLiteral("Graphviz layout with %1 failed").arg(QString::fromUtf8(engine)), messages));
    if (!messages.isEmpty())
        qCDebug(lcLayout) << "Graphviz:" << messages.trimmed();

    TopologyGeometry geometry;
    const char* layoutAttribute = agget(graph.get(), const_cast<char*>("layout"));
    geometry.engine = QString::fromUtf8(layoutAttribute && *layoutAttribute ? layoutAttribute : engine);

    // Graphviz has y growing upwards from the bounding box's lower left corner.
    const boxf bb = GD_bb(graph.get());
    const auto toQt = [&bb](pointf p) { return QPointF(p.x - bb.LL.x, bb.UR.y - p.y); };
    QRectF bounds(0, 0, bb.UR.x - bb.LL.x, bb.UR.y - bb.LL.y);
    // QRectF::united() ignores empty rectangles, so points are added by hand.
    const auto include = [&bounds](QPointF p) {
        bounds.setLeft(std::min(bounds.left(), p.x()));
        bounds.setRight(std::max(bounds.right(), p.x()));
        bounds.setTop(std::min(bounds.top(), p.y()));
        bounds.setBottom(std::max(bounds.bottom(), p.y()));
    };

    std::vector<Agnode_t*> nodes(topology.nodes.size());
    geometry.nodes.reserve(nodes.size());
    std::string name;
    for (size_t i = 0; i < nodes.size(); ++i) {
        // Not "n" + std::to_string(i): GCC 12 at -O3 warns of an overlapping memcpy there (a false positive,
        // GCC bug 105329) in the Release build.
        name = 'n';
        name += std::to_string(i);
        nodes[i] = agnode(graph.get(), name.data(), 0);
        if (!nodes[i])
            return std::unexpected(QStringLiteral("node n%1 is missing from the graph").arg(i));
        const QPointF centre = toQt(ND_coord(nodes[i]));
        const double width = ND_width(nodes[i]) * 72;
        const double height = ND_height(nodes[i]) * 72;
        TopologyGeometry::Node node;
        node.node = static_cast<quint32>(i);
        node.box = QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height);
        bounds = bounds.united(node.box);
        geometry.nodes.push_back(node);
    }

    geometry.edges.reserve(topology.edges.size());
    for (size_t k = 0; k < topology.edges.size(); ++k) {
        const Topology::Edge& edge = topology.edges[k];
        name = 'e';
        name += std::to_string(k);
        Agedge_t* e = agedge(graph.get(), nodes[edge.from], nodes[edge.to], name.data(), 0);
        if (!e)
            return std::unexpected(QStringLiteral("edge e%1 is missing from the graph").arg(k));

        TopologyGeometry::Edge out;
        out.edge = static_cast<quint32>(k);
        if (const splines* spl = ED_spl(e); spl && spl->size > 0) {
            for (int b = 0; b < spl->size; ++b) {
                const bezier& bz = spl->list[b];
                if (bz.size < 1)
                    continue;
                const QPointF first = toQt(bz.list[0]);
                if (out.path.empty())
                    out.path.push_back(first);
                else if (out.path.back() != first)
                    appendLine(out.path, out.path.back(), first);
                for (int p = 1; p < bz.size; ++p)
                    out.path.push_back(toQt(bz.list[p]));
                if (bz.eflag) {
                    out.hasArrow = true;
                    out.arrowTip = toQt(bz.ep);
                }
            }
        }
        const QRectF& from = geometry.nodes[edge.from].box;
        const QRectF& to = geometry.nodes[edge.to].box;
        if (out.path.size() < 4) {
            // No route from Graphviz: a straight line between the borders keeps the geometry complete.
            out.path.clear();
            appendLine(
                out.path, EdgeRouter::borderPoint(from, to.center()), EdgeRouter::borderPoint(to, from.center()));
            out.hasArrow = true;
            out.arrowTip = out.path.back();
        } else if (!out.hasArrow) {
            out.arrowTip = out.path.back();
        }
        const textlabel_t* label = ED_label(e);
        out.labelPosition = label && label->set ? toQt(label->pos) : pathMidpoint(out.path);
        for (const QPointF& p : out.path)
            include(p);
        include(out.arrowTip);
        geometry.edges.push_back(std::move(out));
    }
    geometry.bounds = bounds;
    return geometry;
}

std::expected<TopologyGeometry, QString> GraphvizLayout::layoutStable(const Topology& topology,
    const LayoutOptions& options, const Topology& previous, const TopologyGeometry& previousGeometry,
    const Origins* origins)
{
    LayoutOptions::Engine engine = options.resolvedEngine(topology);
    // Automatic keeps the engine the map was drawn with: a filter that leaves a map of groups with few calls must
    // not make Automatic pick dot instead of neato, and so lay the kept groups out afresh. A fresh layout (too
    // much new) still takes Automatic's choice.
    const auto drawnWith = LayoutOptions::engineFromName(previousGeometry.engine);
    if (options.engine == LayoutOptions::Engine::Automatic && drawnWith
        && *drawnWith != LayoutOptions::Engine::Automatic)
        engine = *drawnWith;
    const auto fresh = [&] { return layout(topology, options); };
    if (topology.nodes.empty() || previousGeometry.engine != QLatin1String(LayoutOptions::engineName(engine))
        || previousGeometry.nodes.size() != previous.nodes.size()
        || previousGeometry.edges.size() != previous.edges.size())
        return fresh();
    for (const Topology::Edge& edge : topology.edges) {
        if (edge.from >= topology.nodes.size() || edge.to >= topology.nodes.size())
            return fresh(); // which reports the error
    }

    std::unordered_map<std::string_view, const TopologyGeometry::Node*> before;
    for (const TopologyGeometry::Node& node : previousGeometry.nodes) {
        if (node.node >= previous.nodes.size())
            return fresh();
        before.emplace(previous.nodes[node.node].name, &node);
    }
    IncrementalPlacement::Input input;
    input.topology = &topology;
    input.flow = engine == LayoutOptions::Engine::Dot;
    std::vector<const TopologyGeometry::Node*> kept(topology.nodes.size(), nullptr);
    size_t shared = 0;
    for (size_t i = 0; i < topology.nodes.size(); ++i) {
        input.sizes.push_back(DotWriter::nodeSize(topology.nodes[i]));
        const auto found = before.find(topology.nodes[i].name);
        kept[i] = found != before.end() ? found->second : nullptr;
        input.previous.push_back(kept[i] ? std::optional(kept[i]->box.center()) : std::nullopt);
        shared += kept[i] ? 1 : 0;
    }
    // New nodes with an origin go where it was.
    size_t fromOrigins = 0;
    input.near.resize(topology.nodes.size());
    for (size_t i = 0; origins && i < topology.nodes.size(); ++i) {
        const auto found = kept[i] ? origins->end() : origins->find(topology.nodes[i].name);
        if (found == origins->end())
            continue;
        QPointF sum;
        int count = 0;
        for (const std::string& name : found->second) {
            if (const auto at = before.find(name); at != before.end()) {
                sum += at->second->box.center();
                ++count;
            }
        }
        if (count > 0) {
            input.near[i] = sum / count;
            ++fromOrigins;
        }
    }
    const size_t added = topology.nodes.size() - shared;
    if (shared == 0
        || (fromOrigins < added && added > kMaxAddedAlways && added > kMaxAddedShare * static_cast<double>(shared)))
        return fresh();
    const auto centres = IncrementalPlacement::place(input);
    if (!centres)
        return fresh();

    TopologyGeometry geometry;
    geometry.engine = previousGeometry.engine;
    geometry.incremental = true;
    // An edge keeps its route when neither end moved nor changed size and no new or moved box lies on it.
    std::vector<QRectF> boxes;
    std::vector<QRectF> changedBoxes;
    std::vector<bool> unchanged(topology.nodes.size(), false);
    for (size_t i = 0; i < topology.nodes.size(); ++i) {
        const QSizeF& size = input.sizes[i];
        const QRectF box((*centres)[i] - QPointF(size.width() / 2, size.height() / 2), size);
        boxes.push_back(box);
        geometry.nodes.push_back({ static_cast<quint32>(i), box });
        unchanged[i] = kept[i] && kept[i]->box == box;
        if (!unchanged[i])
            changedBoxes.push_back(box);
    }
    std::map<std::pair<std::string_view, std::string_view>, const TopologyGeometry::Edge*> routesBefore;
    for (const TopologyGeometry::Edge& edge : previousGeometry.edges) {
        if (edge.edge >= previous.edges.size())
            return fresh();
        const Topology::Edge& e = previous.edges[edge.edge];
        if (e.from < previous.nodes.size() && e.to < previous.nodes.size())
            routesBefore.emplace(std::pair { std::string_view(previous.nodes[e.from].name),
                                     std::string_view(previous.nodes[e.to].name) },
                &edge);
    }
    const EdgeRouter router(boxes);
    std::lock_guard lock(s_graphvizMutex); // libpathplan is not reentrant
    for (size_t k = 0; k < topology.edges.size(); ++k) {
        const Topology::Edge& e = topology.edges[k];
        const auto found = unchanged[e.from] && unchanged[e.to]
            ? routesBefore.find({ topology.nodes[e.from].name, topology.nodes[e.to].name })
            : routesBefore.end();
        TopologyGeometry::Edge edge;
        const auto blocks = [&found](const QRectF& box) { return EdgeRouter::crosses(found->second->path, box); };
        if (found != routesBefore.end() && std::none_of(changedBoxes.begin(), changedBoxes.end(), blocks)) {
            edge = *found->second;
        } else {
            edge = router.route(e.from, e.to);
            edge.labelPosition = pathMidpoint(edge.path);
        }
        edge.edge = static_cast<quint32>(k);
        geometry.edges.push_back(std::move(edge));
    }

    QRectF bounds;
    for (const QRectF& box : boxes)
        bounds = bounds.isNull() ? box : bounds.united(box);
    for (const TopologyGeometry::Edge& edge : geometry.edges) {
        for (const QPointF& p : edge.path)
            bounds = bounds.united(QRectF(p, QSizeF(0.001, 0.001)));
        bounds = bounds.united(QRectF(edge.arrowTip, QSizeF(0.001, 0.001)));
    }
    geometry.bounds = bounds;
    return geometry;
}

QString GraphvizLayout::graphvizVersion()
{
    {
        std::lock_guard lock(s_versionMutex);
        if (!knownVersion().isEmpty())
            return knownVersion(); // known since the first layout: no wait for the one in progress
    }
    std::lock_guard lock(s_graphvizMutex);
    ContextPtr context(newContext());
    std::lock_guard versionLock(s_versionMutex);
    return knownVersion();
}

} // namespace tracemap
