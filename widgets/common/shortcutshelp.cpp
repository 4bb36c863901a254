#include "shortcutshelp.h"

#include <QCoreApplication>
#include <QStringList>

#include <initializer_list>
#include <utility>

namespace tracemap {

namespace {

using Rows = std::initializer_list<std::pair<const char*, const char*>>;

QString section(const char* title, Rows rows)
{
    QString html = QStringLiteral("<tr><td colspan=2><br><b>%1</b></td></tr>")
                       .arg(QCoreApplication::translate("ShortcutsHelp", title));
    for (const auto& [keys, action] : rows) {
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(QCoreApplication::translate("ShortcutsHelp", keys),
                        QCoreApplication::translate("ShortcutsHelp", action));
    }
    return html;
}

} // namespace

QString ShortcutsHelp::html()
{
    QString html = QStringLiteral("<table cellpadding=2>");
    html += section("Window",
        Rows { { "Ctrl+O", "Open trace files (or drop them on the window)" },
            { "Ctrl+F", "Find traces: focus the search panel" }, { "Ctrl+L", "Look up a trace by its ID" },
            { "Enter", "Run the search / open the selected trace" }, { "Ctrl+W", "Close the trace tab" },
            { "Ctrl+M", "Show the trace's services and calls on the topology map" },
            { "Ctrl+Tab, Ctrl+Shift+Tab", "Next, previous tab" }, { "F1", "This list" }, { "Ctrl+Q", "Quit" } });
    html += section("Flame chart (a trace tab; it has the keys when the trace opens)",
        Rows { { "W / S", "Zoom in / out at the mouse pointer" }, { "A / D", "Pan left / right" },
            { "Esc or 0", "Show the whole trace" }, { "n / N (Shift+N)", "Next / previous match of the span search" },
            { "Ctrl+wheel", "Zoom at the mouse pointer" }, { "Wheel, horizontal wheel", "Scroll rows, pan in time" },
            { "Drag", "Pan" }, { "Shift+drag", "Measure a time range" }, { "Click", "Select a span" },
            { "Double-click", "Zoom to the span" },
            { "Right-click", "Collapse or expand a subtree, zoom to span, compact rows" },
            { "Drag on the overview strip", "Move the visible range" } });
    html += section("Span tree and details (a trace tab)",
        Rows { { "Ctrl+Shift+F", "Filter spans (service, operation, id or attribute text)" },
            { "Up / Down, Left / Right", "Move, collapse and expand in the span tree" },
            { "Ctrl+C", "Copy the selected value in the span details" } });
    html += section("Topology map",
        Rows { { "Wheel, + / −", "Zoom" }, { "Drag", "Pan" }, { "F", "Fit the map to the window" },
            { "F5, reload button", "Lay the map out afresh (new services otherwise join it where there is room)" },
            { "Z", "Zoom to the selected service" }, { "Click", "Select a service or a call: the panel shows it" },
            { "Find a service…", "Select the best match (an exact name first)" },
            { "Focus, Show All", "Only the services within N calls of the selected one; all again" },
            { "Double-click a group", "Show its services in its place (double-click one of them to close it)" },
            { "Right-click a service", "Its callers, its callees, the paths between it and the selected service" } });
    html += section("Flame graph",
        Rows { { "Click", "Zoom into a frame" }, { "Esc or 0", "Zoom out to all" },
            { "Click on the path above the frames", "Zoom out to that frame" },
            { "Click on the zoomed frame", "Zoom out one level" } });
    html += QStringLiteral("</table>");
    return html;
}

} // namespace tracemap
